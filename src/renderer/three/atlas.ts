import type { RgbaImage } from '../../shared/api/image'

/**
 * Many small images packed into one RGBA texture, so hundreds of thumbnails (or feature maps) cost one
 * texture upload and one draw call instead of one each.
 */
export interface Atlas {
  width: number
  height: number
  /** RGBA, row-major, row 0 first — upload as a texture without flipping (three's DataTexture default). */
  data: Uint8Array
  /**
   * Where image i lies, as texture coordinates: uvs[4i..4i+3] = u0, vTop, u1, vBottom. vTop < vBottom
   * because row 0 of the data (an image's top row) is v = 0 when uploaded unflipped.
   */
  uvs: Float32Array
  /** Side of one square cell in texels, gutter included. */
  cell: number
  columns: number
}

export interface AtlasOptions {
  /** Largest width or height the texture may have (a GPU's MAX_TEXTURE_SIZE, capped to save memory). */
  maxSize?: number
  /** Texels of gutter around each image, filled with its edge pixels so linear filtering cannot bleed. */
  gutter?: number
}

/**
 * Packs images into a square-ish grid of equal cells (each as big as the largest image). Images are the same
 * size in practice (thumbnails of one model, maps of one layer), so a grid wastes nothing and keeps lookup
 * trivial. When the grid would exceed maxSize, every image is scaled down (nearest neighbour) to fit.
 */
export function packAtlas(images: readonly RgbaImage[], options: AtlasOptions = {}): Atlas {
  const maxSize = options.maxSize ?? 4096
  const gutter = options.gutter ?? 1
  const count = images.length
  if (count === 0) return { width: 1, height: 1, data: new Uint8Array(4), uvs: new Float32Array(0), cell: 1, columns: 1 }

  const columns = Math.ceil(Math.sqrt(count))
  const rows = Math.ceil(count / columns)
  const largest = Math.max(...images.map((img) => Math.max(img.width, img.height)))
  // Shrink only when the grid would not fit; the gutter always stays.
  const fitted = Math.floor(maxSize / Math.max(columns, rows)) - 2 * gutter
  if (fitted < 1) throw new Error(`Cannot pack ${count} images into a ${maxSize}×${maxSize} texture.`)
  const inner = Math.min(largest, fitted)
  const scale = inner / largest
  const cell = inner + 2 * gutter
  const width = columns * cell
  const height = rows * cell
  const data = new Uint8Array(width * height * 4)
  const uvs = new Float32Array(count * 4)

  images.forEach((img, i) => {
    const w = Math.max(1, Math.round(img.width * scale))
    const h = Math.max(1, Math.round(img.height * scale))
    const x0 = (i % columns) * cell + gutter
    const y0 = Math.floor(i / columns) * cell + gutter
    // Write the image and its gutter in one pass: gutter texels repeat the nearest edge pixel.
    for (let y = -gutter; y < h + gutter; y++) {
      const sy = Math.floor((Math.min(Math.max(y, 0), h - 1) * img.height) / h)
      for (let x = -gutter; x < w + gutter; x++) {
        const sx = Math.floor((Math.min(Math.max(x, 0), w - 1) * img.width) / w)
        const from = (sy * img.width + sx) * 4
        const to = ((y0 + y) * width + (x0 + x)) * 4
        data[to] = img.data[from] ?? 0
        data[to + 1] = img.data[from + 1] ?? 0
        data[to + 2] = img.data[from + 2] ?? 0
        data[to + 3] = img.data[from + 3] ?? 0
      }
    }
    uvs[i * 4] = x0 / width
    uvs[i * 4 + 1] = y0 / height
    uvs[i * 4 + 2] = (x0 + w) / width
    uvs[i * 4 + 3] = (y0 + h) / height
  })
  return { width, height, data, uvs, cell, columns }
}
