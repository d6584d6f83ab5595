import type { RgbaImage } from '../../../shared/api/image'

/** Minimal RGBA drawing for figures: solid fills and image copies, at the generator's pixel size. */
export type Rgb = readonly [number, number, number]

export function blankCanvas(width: number, height: number, colour: Rgb): RgbaImage {
  const image: RgbaImage = { width, height, data: new Uint8Array(width * height * 4) }
  fillRect(image, 0, 0, width, height, colour)
  return image
}

export function fillRect(canvas: RgbaImage, x: number, y: number, width: number, height: number, colour: Rgb): void {
  const x0 = Math.max(0, Math.round(x))
  const y0 = Math.max(0, Math.round(y))
  const x1 = Math.min(canvas.width, Math.round(x + width))
  const y1 = Math.min(canvas.height, Math.round(y + height))
  for (let row = y0; row < y1; row++) {
    for (let col = x0; col < x1; col++) {
      const o = (row * canvas.width + col) * 4
      canvas.data[o] = colour[0]
      canvas.data[o + 1] = colour[1]
      canvas.data[o + 2] = colour[2]
      canvas.data[o + 3] = 255
    }
  }
}

export function drawImage(canvas: RgbaImage, image: RgbaImage, x: number, y: number): void {
  for (let row = 0; row < image.height; row++) {
    const target = y + row
    if (target < 0 || target >= canvas.height) continue
    const src = row * image.width * 4
    canvas.data.set(image.data.subarray(src, src + image.width * 4), (target * canvas.width + x) * 4)
  }
}
