import type { z } from 'zod'
import type { CanvasParams, CanvasResult, CanvasSpec } from '../../shared/api/canvas'
import { StudioError } from '../../shared/api/errors'
import type { ModelSource, RunCheckpointRef } from '../../shared/api/explore'
import type { RgbaImage } from '../../shared/api/image'
import type { ModelConfig } from '../../shared/formats/model'
import { type CanvasGrid, canvasGrid, canvasSize, canvasSizeProblem } from '../../shared/latent/canvas-grid'
import type { EngineHost } from './engine-host'
import type { Explorer } from './explorer'
import { LatestWins } from './latest-wins'

type Spec = z.output<z.ZodObject<typeof CanvasSpec>>

/** A canvas ready to draw: its model, the z grid its anchors make, and its size (checked before any work). */
export interface PreparedCanvas {
  readonly spec: Spec
  readonly source: ModelSource
  readonly model: ModelConfig
  readonly step: number
  readonly grid: CanvasGrid
  readonly width: number
  readonly height: number
  readonly cell: number
}

export interface DrawOptions {
  signal?: AbortSignal
  onProgress?: (fraction: number, message: string) => void
}

/**
 * Big canvases: the Node side resolves the run to its checkpoint and the seed to a blended z grid
 * (src/shared/latent/canvas-grid.ts); the explorer engine draws the grid as one picture. The panel's picture
 * goes through `render` (the latest request per channel wins); exports go through `prepare` and `draw` in a job.
 */
export class Canvases {
  private readonly live = new LatestWins()

  constructor(
    private readonly engine: EngineHost,
    private readonly exploration: Explorer
  ) {}

  async prepare(run: z.output<typeof RunCheckpointRef>, spec: Spec): Promise<PreparedCanvas> {
    const { source, model, step } = await this.exploration.models(run)
    const problem = canvasSizeProblem(model, spec.columns, spec.rows, spec.tile)
    if (problem !== null) throw new StudioError('bad_request', problem)
    const grid = canvasGrid(spec, model.zDim, model.noise)
    return { spec, source, model, step, grid, ...canvasSize(model, spec.columns, spec.rows, spec.tile) }
  }

  async draw(canvas: PreparedCanvas, options: DrawOptions = {}): Promise<RgbaImage> {
    const { columns, rows, tile, statistics } = canvas.spec
    const { image } = await this.engine.request('canvas', { generator: canvas.source, z: canvas.grid.z, columns, rows, tile, statistics }, options)
    return image
  }

  render(params: z.output<typeof CanvasParams>): Promise<CanvasResult> {
    return this.live.run(params.channel, async () => {
      const started = performance.now()
      const canvas = await this.prepare(params.run, params)
      const image = await this.draw(canvas)
      return { image, columns: params.columns, rows: params.rows, cell: canvas.cell, step: canvas.step, millis: performance.now() - started }
    })
  }
}
