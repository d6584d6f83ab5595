/**
 * Latent grids (plat's "mine grid"; paper Fig. 4 in two dimensions): four corner vectors spread over a
 * columns × rows grid. lerp is bilinear; slerp follows the top and bottom edges on great circles, then goes
 * from the top edge to the bottom one the same way, so every edge of the grid is the 1-D walk between its corners.
 * Pure Float32Array math, shared by the Node side (panel, figure, video) and tests.
 */
import { type InterpolationMode, lerp, slerp } from './interpolate'

/** Corners in reading order: top-left, top-right, bottom-left, bottom-right. */
export type GridCorners = readonly [Float32Array, Float32Array, Float32Array, Float32Array]

export const CORNER_NAMES = ['top-left', 'top-right', 'bottom-left', 'bottom-right'] as const

/** The grid's z vectors, row by row (cell (column c, row r) is at r × columns + c); the corners are copies of the inputs. */
export function latentGrid(corners: GridCorners, columns: number, rows: number, mode: InterpolationMode): Float32Array<ArrayBuffer>[] {
  if (!Number.isInteger(columns) || !Number.isInteger(rows) || columns < 2 || rows < 2) throw new Error('A latent grid needs at least 2 columns and 2 rows.')
  const [topLeft, topRight, bottomLeft, bottomRight] = corners
  const between = mode === 'slerp' ? slerp : lerp
  // The exact ends of a walk: t = 0 and t = 1 are the keyframes themselves, bit for bit.
  const point = (a: Float32Array, b: Float32Array, t: number): Float32Array<ArrayBuffer> =>
    t === 0 ? new Float32Array(a) : t === 1 ? new Float32Array(b) : (between(a, b, t) as Float32Array<ArrayBuffer>)
  const cells: Float32Array<ArrayBuffer>[] = []
  const top = Array.from({ length: columns }, (_, c) => point(topLeft, topRight, c / (columns - 1)))
  const bottom = Array.from({ length: columns }, (_, c) => point(bottomLeft, bottomRight, c / (columns - 1)))
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) cells.push(point(top[c] as Float32Array, bottom[c] as Float32Array, r / (rows - 1)))
  }
  return cells
}

/**
 * The cells in snake (boustrophedon) order: left to right along the first row, right to left along the next,
 * so each step of a sweep moves to a neighbouring cell and the picture never jumps across the grid.
 */
export function snakeOrder(columns: number, rows: number): number[] {
  const order: number[] = []
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < columns; i++) order.push(r * columns + (r % 2 === 0 ? i : columns - 1 - i))
  }
  return order
}

/** Indices of the four corner cells, in the corners' order. */
export function cornerCells(columns: number, rows: number): [number, number, number, number] {
  return [0, columns - 1, (rows - 1) * columns, rows * columns - 1]
}
