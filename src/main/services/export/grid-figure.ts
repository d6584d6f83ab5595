import type { RgbaImage } from '../../../shared/api/image'
import { CORNER_NAMES, cornerCells } from '../../../shared/latent/grid'
import { gridImage } from '../image-files'
import { type Rgb, blankCanvas, drawImage, fillRect } from './canvas'

/** Pixels between cells (before scaling); a framed grid also has this margin round it, for the corners' frames. */
const GAP = 2
const BACKGROUND: Rgb = [0, 0, 0]
const CORNER_FRAME: Rgb = [255, 196, 0]

/**
 * A latent grid as one image: the cells row by row, GAP pixels apart. Marked corners are framed in the gaps
 * around them, never over their pixels, so the corner cells stay exactly the corner samples.
 */
export function gridFigure(cells: RgbaImage[], columns: number, rows: number, markCorners: boolean): { image: RgbaImage; layout: Record<string, unknown> } {
  const grid = gridImage(cells, columns, GAP)
  const layout = { columns, rows, gapPixels: GAP, cellPixels: (cells[0] as RgbaImage).width, corners: markCorners ? 'framed' : 'plain' }
  if (!markCorners) return { image: grid, layout: { ...layout, marginPixels: 0 } }
  const image = blankCanvas(grid.width + 2 * GAP, grid.height + 2 * GAP, BACKGROUND)
  drawImage(image, grid, GAP, GAP)
  const cell = (cells[0] as RgbaImage).width
  const corners = cornerCells(columns, rows).map((index, i) => {
    const x = GAP + (index % columns) * (cell + GAP)
    const y = GAP + Math.floor(index / columns) * (cell + GAP)
    frame(image, x, y, cell)
    return { corner: CORNER_NAMES[i], x, y, width: cell, height: cell }
  })
  return { image, layout: { ...layout, marginPixels: GAP, cornerCells: corners } }
}

/** A GAP-wide frame just outside the square cell at (x, y). */
function frame(image: RgbaImage, x: number, y: number, side: number): void {
  fillRect(image, x - GAP, y - GAP, side + 2 * GAP, GAP, CORNER_FRAME)
  fillRect(image, x - GAP, y + side, side + 2 * GAP, GAP, CORNER_FRAME)
  fillRect(image, x - GAP, y, GAP, side, CORNER_FRAME)
  fillRect(image, x + side, y, GAP, side, CORNER_FRAME)
}
