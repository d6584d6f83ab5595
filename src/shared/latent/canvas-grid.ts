import type { NoiseSpec } from '../formats/model'
import { slerp } from './interpolate'
import { noiseForSeed } from './random'

/**
 * The z grid of a big canvas (dcgan.torch's large `imsize`): one z per cell, drawn from a coarse grid of seeded
 * anchors and blended between them, so neighbouring cells draw neighbouring things and the scene is continuous.
 * Pure Float32Array math; the Node side builds the grid and the engine renders it (src/engine/explore/canvas.ts).
 */

export interface CanvasGridSpec {
  columns: number
  rows: number
  seed: number
  /** Anchors every `blend` cells, slerped between; 1: an independent z in every cell. */
  blend: number
  /** Periodic: the anchors wrap around, so the last column blends back into the first (seamless tiling). */
  tile: boolean
}

export interface CanvasGrid {
  /** rows × columns z vectors, row-major, flattened. */
  z: Float32Array<ArrayBuffer>
  /** The anchors (anchor i is sample i of the seed), row-major, anchorColumns wide. */
  anchors: Float32Array<ArrayBuffer>[]
  anchorColumns: number
  anchorRows: number
}

/** Anchors along one axis of `cells` cells: one every `blend` cells, plus the far end's unless the axis wraps. */
function anchorCount(cells: number, blend: number, tile: boolean): number {
  return tile ? Math.max(1, Math.ceil(cells / blend)) : Math.ceil((cells - 1) / blend) + 1
}

/** Where cell `i` lies between anchors: the anchor before it, the one after it, and how far along (0..1). */
function anchorPosition(i: number, cells: number, anchors: number, blend: number, tile: boolean): [number, number, number] {
  // A wrapping axis spreads its anchors evenly over the period, so the blend is the same across the seam.
  const u = tile ? (i * anchors) / cells : i / blend
  const before = Math.floor(u)
  const after = tile ? (before + 1) % anchors : Math.min(before + 1, anchors - 1)
  return [before, after, u - before]
}

/** Slerp, except that t = 0 is exactly `a`: a cell on an anchor draws exactly the anchor's sample. */
function blendVectors(a: Float32Array, b: Float32Array, t: number): Float32Array {
  return t === 0 ? a : slerp(a, b, t)
}

export function canvasGrid(spec: CanvasGridSpec, zDim: number, noise: NoiseSpec): CanvasGrid {
  const anchorColumns = anchorCount(spec.columns, spec.blend, spec.tile)
  const anchorRows = anchorCount(spec.rows, spec.blend, spec.tile)
  const anchors = Array.from({ length: anchorColumns * anchorRows }, (_, i) => noiseForSeed(spec.seed, i, zDim, noise))
  const anchor = (column: number, row: number): Float32Array => anchors[row * anchorColumns + column] as Float32Array
  const z = new Float32Array(spec.rows * spec.columns * zDim)
  for (let row = 0; row < spec.rows; row++) {
    const [r0, r1, tr] = anchorPosition(row, spec.rows, anchorRows, spec.blend, spec.tile)
    for (let column = 0; column < spec.columns; column++) {
      const [c0, c1, tc] = anchorPosition(column, spec.columns, anchorColumns, spec.blend, spec.tile)
      const top = blendVectors(anchor(c0, r0), anchor(c1, r0), tc)
      const bottom = blendVectors(anchor(c0, r1), anchor(c1, r1), tc)
      z.set(blendVectors(top, bottom, tr), (row * spec.columns + column) * zDim)
    }
  }
  return { z, anchors, anchorColumns, anchorRows }
}

/** G's first layer is a 4×4 transposed convolution of a 1×1 z map: a cell adds 4×4 units to the base map. */
export const CANVAS_PATCH = 4

/** The largest canvas side the studio renders, in pixels. */
export const MAX_CANVAS_SIDE = 4096

/**
 * A canvas's size in pixels: each cell is s = imageSize / 4 pixels, and the 4×4 patches overlap, so h × w cells
 * make (h + 3)·s × (w + 3)·s pixels; a tiling canvas wraps the overlap around and is exactly h·s × w·s.
 */
export function canvasSize(model: { imageSize: number }, columns: number, rows: number, tile: boolean): { width: number; height: number; cell: number } {
  const cell = model.imageSize / CANVAS_PATCH
  const extra = tile ? 0 : CANVAS_PATCH - 1
  return { width: (columns + extra) * cell, height: (rows + extra) * cell, cell }
}

/** Cells of circular padding around each deconvolution's input on a tiling canvas (a 4×4 or 5×5 stride-2 kernel reaches 2). */
export const CANVAS_WRAP = 2

/** The most numbers one layer of a canvas may hold (G's last hidden layer is the largest): keeps memory sane. */
export const MAX_CANVAS_ACTIVATION = 64 * 2 ** 20

/** Why a canvas is too large to render (wider than MAX_CANVAS_SIDE, or a layer too big for memory), or null. */
export function canvasSizeProblem(model: { imageSize: number; genWidth: number }, columns: number, rows: number, tile: boolean): string | null {
  const { width, height } = canvasSize(model, columns, rows, tile)
  const grid = `${columns}×${rows}`
  if (width > MAX_CANVAS_SIDE || height > MAX_CANVAS_SIDE) {
    return `A ${grid} canvas of this ${model.imageSize}px model is ${width}×${height} px; the studio renders at most ${MAX_CANVAS_SIDE} px a side. Choose fewer cells.`
  }
  // G's last hidden layer: half the picture's side, genWidth channels (plus the tiling's circular margin).
  const margin = tile ? 4 * CANVAS_WRAP : 0
  const largest = (width / 2 + margin) * (height / 2 + margin) * model.genWidth
  if (largest > MAX_CANVAS_ACTIVATION) {
    return `A ${grid} canvas of this model needs ${Math.round(largest / 2 ** 20)} million numbers in one layer; the studio allows ${MAX_CANVAS_ACTIVATION / 2 ** 20} million. Choose fewer cells.`
  }
  return null
}
