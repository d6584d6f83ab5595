import sharp from 'sharp'
import { DATASET_FILES, THUMBS_MAX_COUNT, thumbLayout, type DatasetThumbs } from '../../../shared/formats/dataset'
import { resizeSquare } from './square-pixels'

/**
 * Collects the first images of a dataset as they are packed and draws them as `thumbs.png`: the library
 * shows it without reading images.u8. Cells are the images' own size up to 64 px (larger ones shrink).
 */
export class ContactSheet {
  private readonly cells: Buffer[] = []
  private readonly cellSize: number

  constructor(
    private readonly size: number,
    private readonly channels: 1 | 3
  ) {
    this.cellSize = thumbLayout(1, size).cellSize
  }

  get full(): boolean {
    return this.cells.length >= THUMBS_MAX_COUNT
  }

  /** Adds one packed image; ignored once the sheet is full. */
  async add(pixels: Uint8Array): Promise<void> {
    if (this.full) return
    const cell = this.cellSize === this.size ? Buffer.from(pixels) : await resizeSquare(pixels, this.size, this.channels, this.cellSize)
    this.cells.push(cell)
  }

  async toPng(): Promise<{ png: Buffer; thumbs: DatasetThumbs }> {
    const layout = thumbLayout(this.cells.length, this.size)
    if (layout.count === 0) throw new Error('Internal error: a contact sheet needs at least one image')
    const { cellSize: cell, columns, rows } = layout
    const width = columns * cell
    const rowBytes = width * this.channels
    const cellRowBytes = cell * this.channels
    const canvas = Buffer.alloc(rows * cell * rowBytes)
    this.cells.forEach((pixels, i) => {
      const left = (i % columns) * cellRowBytes
      const top = Math.floor(i / columns) * cell
      for (let y = 0; y < cell; y++) {
        pixels.copy(canvas, (top + y) * rowBytes + left, y * cellRowBytes, (y + 1) * cellRowBytes)
      }
    })
    const png = await sharp(canvas, { raw: { width, height: rows * cell, channels: this.channels } })
      // Keeps a grayscale sheet one channel (sharp otherwise writes RGB).
      .toColourspace(this.channels === 1 ? 'b-w' : 'srgb')
      .png()
      .toBuffer()
    return { png, thumbs: { file: DATASET_FILES.thumbs, count: layout.count, columns, cellSize: cell } }
  }
}
