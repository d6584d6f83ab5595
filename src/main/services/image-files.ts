import sharp from 'sharp'
import type { RgbaImage } from '../../shared/api/image'
import { writeFileAtomic } from '../../node/atomic-files'

/** Lays images out in a grid (row-major, `gap` px of black between them) as one RGBA image. */
export function gridImage(images: RgbaImage[], columns: number, gap = 2): RgbaImage {
  const first = images[0]
  if (!first) throw new Error('gridImage needs at least one image')
  const cols = Math.max(1, Math.min(columns, images.length))
  const rows = Math.ceil(images.length / cols)
  const width = cols * first.width + (cols - 1) * gap
  const height = rows * first.height + (rows - 1) * gap
  const data = new Uint8Array(width * height * 4)
  for (let i = 3; i < data.length; i += 4) data[i] = 255
  images.forEach((image, i) => {
    const x0 = (i % cols) * (first.width + gap)
    const y0 = Math.floor(i / cols) * (first.height + gap)
    for (let y = 0; y < image.height; y++) {
      const src = y * image.width * 4
      data.set(image.data.subarray(src, src + image.width * 4), ((y0 + y) * width + x0) * 4)
    }
  })
  return { width, height, data }
}

/** Encodes an RGBA image as PNG (optionally scaled up with nearest-neighbour, so pixels stay crisp). */
export async function encodePng(image: RgbaImage, scale = 1): Promise<Buffer> {
  let pipeline = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 4 }
  })
  if (scale !== 1) pipeline = pipeline.resize(Math.round(image.width * scale), Math.round(image.height * scale), { kernel: 'nearest' })
  return pipeline.png().toBuffer()
}

export async function writePng(file: string, image: RgbaImage, scale = 1): Promise<void> {
  await writeFileAtomic(file, await encodePng(image, scale))
}
