import { z } from 'zod'
import { ExportZSpec, ImageOutput, VideoOutput } from './export'
import { GeneratedSample, RunCheckpointRef, ZSpec } from './explore'

/**
 * Latent grids (plat's "mine grid", paper Fig. 4 in two dimensions): four corner samples spread over a
 * columns × rows grid by lerp or slerp (src/shared/latent/grid.ts). Shown in the Explore screen, exported as a
 * PNG figure and as a video that sweeps the grid's rows in snake order.
 */

const Side = z.number().int().min(2, 'a grid has at least 2 cells a side').max(16, 'a grid has at most 16 cells a side')

const GridShape = {
  columns: Side.default(8),
  rows: Side.default(8),
  mode: z.enum(['lerp', 'slerp']).default('slerp')
}

/** Top-left, top-right, bottom-left, bottom-right. */
const corners = <T extends z.ZodType>(spec: T) => z.array(spec).length(4, 'a grid needs four corners: top-left, top-right, bottom-left, bottom-right')

/** The grid for the panel; the newest request on a channel wins (older ones are answered 'superseded'). */
export const GridParams = z.object({
  run: RunCheckpointRef,
  corners: corners(ZSpec),
  ...GridShape,
  channel: z.string().max(60).default('grid')
})
export type GridParams = z.input<typeof GridParams>

export const GridResult = z.object({
  /** Row by row: cell (column c, row r) is cells[r × columns + c]. */
  cells: z.array(GeneratedSample),
  columns: z.number().int(),
  rows: z.number().int(),
  step: z.number().int(),
  millis: z.number()
})
export type GridResult = z.infer<typeof GridResult>

/** The grid as a PNG figure, cells 2 px apart (before scaling), the corner cells optionally framed. */
export const ExportGridParams = z.object({
  run: RunCheckpointRef,
  corners: corners(ExportZSpec),
  ...GridShape,
  markCorners: z.boolean().default(true),
  ...ImageOutput
})
export type ExportGridParams = z.input<typeof ExportGridParams>

/**
 * The grid as a video: one picture moving through the cells row by row in snake order (left to right, then
 * right to left), lerp from each cell to the next — a walk whose keyframes are the grid's cells.
 */
export const ExportGridVideoParams = z.object({
  run: RunCheckpointRef,
  corners: corners(ExportZSpec),
  ...GridShape,
  framesPerCell: z.number().int().min(1).max(600).default(8),
  ...VideoOutput
})
export type ExportGridVideoParams = z.input<typeof ExportGridVideoParams>
