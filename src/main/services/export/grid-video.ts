import type { z } from 'zod'
import type { ExportWalkParams } from '../../../shared/api/export'
import type { ExportGridVideoParams } from '../../../shared/api/grid'
import type { ModelConfig } from '../../../shared/formats/model'
import { snakeOrder } from '../../../shared/latent/grid'
import type { Explorer } from '../explorer'
import type { WalkRecipe } from './walk-export'

type Params = z.output<typeof ExportGridVideoParams>

/**
 * A latent grid's sweep as a walk: the cells are its keyframes in snake order (the first row left to right, the
 * next right to left, …), lerp from each cell to its neighbour, `framesPerCell` frames apart — so the walk
 * export's batching, ffmpeg, progress, cancel and atomic output serve it unchanged. The record keeps the grid
 * request (corners as vectors), so rendering it again derives the same walk.
 */
export function gridSweep(params: Params, exploration: Explorer, model: ModelConfig): { walk: z.output<typeof ExportWalkParams>; recipe: WalkRecipe } {
  const corners = params.corners.map((spec) => exploration.resolveZ(spec, model))
  const cells = exploration.gridVectors(params, model)
  const order = snakeOrder(params.columns, params.rows)
  const walk: z.output<typeof ExportWalkParams> = {
    run: params.run,
    // Built here rather than parsed: a 16 × 16 grid has more cells than a hand-made walk may have keyframes.
    walks: [order.map((cell) => ({ kind: 'z' as const, z: cells[cell] as Float32Array<ArrayBuffer> }))],
    columns: null,
    mode: 'lerp',
    loop: false,
    easing: 'linear',
    timing: { kind: 'frames-per-segment', frames: params.framesPerCell },
    fps: params.fps,
    format: params.format,
    size: params.size,
    upscale: params.upscale,
    out: params.out,
    overwrite: params.overwrite
  }
  const recipe: WalkRecipe = {
    operation: 'grid-video',
    request: { ...params, corners: corners.map((z) => ({ kind: 'z' as const, z })) },
    latent: { corners, cornerSpecs: params.corners },
    output: {
      sweep: {
        columns: params.columns,
        rows: params.rows,
        mode: params.mode,
        order: 'snake (boustrophedon): row 1 left to right, row 2 right to left, …; lerp between neighbouring cells',
        cells: order,
        framesPerCell: params.framesPerCell
      }
    }
  }
  return { walk, recipe }
}
