import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import sharp from 'sharp'

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dcgan-${prefix}-`))
}

/**
 * A folder of small generated images a GAN can learn something from: a bright disc of a random colour at a
 * random place on a dark background, of mixed sizes and formats.
 */
export async function writeDiscImages(dir: string, count: number, seed = 1): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true })
  let s = seed
  const rand = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 4294967296
  }
  const files: string[] = []
  for (let i = 0; i < count; i++) {
    const w = 40 + Math.floor(rand() * 30)
    const h = 40 + Math.floor(rand() * 30)
    const cx = w * (0.3 + 0.4 * rand())
    const cy = h * (0.3 + 0.4 * rand())
    const r = Math.min(w, h) * (0.15 + 0.15 * rand())
    const colour = [150 + rand() * 105, 80 + rand() * 175, 60 + rand() * 120].map(Math.round)
    const pixels = Buffer.alloc(w * h * 3)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r
        const o = (y * w + x) * 3
        pixels[o] = inside ? (colour[0] as number) : 20
        pixels[o + 1] = inside ? (colour[1] as number) : 24
        pixels[o + 2] = inside ? (colour[2] as number) : 32
      }
    }
    const image = sharp(pixels, { raw: { width: w, height: h, channels: 3 } })
    const name = i % 2 === 0 ? `disc-${i}.png` : `disc-${i}.jpg`
    const file = path.join(dir, i % 5 === 0 ? 'nested' : '', name)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    await (name.endsWith('.png') ? image.png() : image.jpeg({ quality: 95 })).toFile(file)
    files.push(file)
  }
  return files
}

/** Files every importer must survive: a truncated JPEG, text named .png, an empty file and a duplicate. */
export async function writeBadFiles(dir: string, goodFile: string): Promise<void> {
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .jpeg()
    .toBuffer()
  fs.writeFileSync(path.join(dir, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)))
  fs.writeFileSync(path.join(dir, 'notes.png'), 'this is not an image\n')
  fs.writeFileSync(path.join(dir, 'empty.jpg'), '')
  fs.copyFileSync(goodFile, path.join(dir, `zz-copy-of-${path.basename(goodFile)}`))
}
