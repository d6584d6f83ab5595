import { z } from 'zod'
import { FloatVector, ModelSource, RunCheckpointRef } from './explore'
import { RgbaImage } from './image'

/**
 * Big canvas (dcgan.torch's large `imsize`): a grid of z vectors rendered as one image. G's first layer is a
 * 4×4 transposed convolution of a 1×1 z map, so a grid of h × w z vectors makes a base map (h + 3) × (w + 3)
 * cells large, which the rest of G turns into one picture (src/shared/latent/canvas-grid.ts says how large).
 */

/** The most cells a canvas has on a side (also capped at MAX_CANVAS_SIDE pixels). */
export const MAX_CANVAS_CELLS = 64

const Cells = z.number().int().min(1).max(MAX_CANVAS_CELLS)

/**
 * 'canvas': BatchNorm normalises with the canvas's own statistics, as dcgan.torch's generate.lua does (its G is
 * still in training mode): up to 16 patches overlap in the interior, and their sum would overflow a trained G's
 * moving statistics into saturated colour. 'model': the checkpoint's moving statistics, exactly as a sample is
 * drawn (a 1×1 canvas is then the ordinary sample, bit for bit). An untrained G always uses batch statistics.
 */
export const CanvasStatistics = z.enum(['canvas', 'model'])
export type CanvasStatistics = z.infer<typeof CanvasStatistics>

/** What a canvas shows: the grid, the seed its anchors come from, how smoothly they blend, and tiling. */
export const CanvasSpec = {
  columns: Cells.default(6),
  rows: Cells.default(3),
  /** Seed of the anchors: anchor i is sample i of the seed (a 1×1 canvas draws the seed's first sample). */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  /** An anchor z every `blend` cells, slerped between; 1 gives every cell its own z. */
  blend: z.number().int().min(1).max(MAX_CANVAS_CELLS).default(3),
  /** A periodic canvas: the picture continues across its edges, so copies of it tile seamlessly. */
  tile: z.boolean().default(false),
  /** How BatchNorm normalises the larger map (see CanvasStatistics). */
  statistics: CanvasStatistics.default('canvas')
}

/** The Studio API's canvas: the panel's picture (the latest request per channel wins while settings change). */
export const CanvasParams = z.object({ run: RunCheckpointRef, ...CanvasSpec, channel: z.string().max(60).default('canvas') })
export type CanvasParams = z.input<typeof CanvasParams>

export const CanvasResult = z.object({
  image: RgbaImage,
  columns: z.number().int(),
  rows: z.number().int(),
  /** Pixels per cell (the model's image size / 4). */
  cell: z.number().int(),
  step: z.number().int(),
  millis: z.number()
})
export type CanvasResult = z.infer<typeof CanvasResult>

/** The engine's canvas: explicit z vectors (rows × columns × zDim, row-major), rendered as one image. */
export const EngineCanvasParams = z.object({
  generator: ModelSource,
  z: FloatVector,
  columns: Cells,
  rows: Cells,
  tile: z.boolean().default(false),
  statistics: CanvasStatistics.default('canvas')
})
export type EngineCanvasParams = z.infer<typeof EngineCanvasParams>
export type EngineCanvasParamsInput = z.input<typeof EngineCanvasParams>

export const EngineCanvasResult = z.object({ image: RgbaImage, millis: z.number(), backend: z.string() })
export type EngineCanvasResult = z.infer<typeof EngineCanvasResult>
