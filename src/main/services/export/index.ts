import type { z } from 'zod'
import type {
  ExportArithmeticParams,
  ExportCanvasParams,
  ExportConceptParams,
  ExportDirectionsParams,
  ExportErasureParams,
  ExportImageParams,
  ExportSamplesParams,
  ExportTimelapseParams,
  ExportVectorsParams,
  ExportWalkParams,
  ExportedFile,
  ExportedTimelapse,
  ExportedWalk
} from '../../../shared/api/export'
import type { ExportGridParams, ExportGridVideoParams } from '../../../shared/api/grid'
import type { Job } from '../../../shared/api/jobs'
import { Canvases } from '../canvas'
import type { Concepts } from '../concepts'
import type { Directions } from '../directions'
import type { EngineHost } from '../engine-host'
import type { Explorer } from '../explorer'
import type { Jobs } from '../jobs'
import type { RunStore } from '../run-store'
import { startCanvasExport } from './canvas-export'
import { FigureExports } from './figure-export'
import { TimelapseExport } from './timelapse-export'
import { gridSweep } from './grid-video'
import { VectorExports } from './vector-export'
import { WalkExport } from './walk-export'

export interface ExportDeps {
  jobs: Jobs
  exploration: Explorer
  engine: EngineHost
  runs: RunStore
  concepts: Concepts
  directions: Pick<Directions, 'ensure'>
  /** Where relative destination paths land: the library's exports/ folder. */
  exportsDir: string
}

/** The studio's exports: walks and training timelapses as videos (jobs), figures as PNG, vectors and concepts as JSON. */
export class Exports {
  private readonly figures: FigureExports
  private readonly vectorFiles: VectorExports
  private readonly canvases: Canvases

  constructor(private readonly deps: ExportDeps) {
    this.figures = new FigureExports(deps)
    this.canvases = new Canvases(deps.engine, deps.exploration)
    this.vectorFiles = new VectorExports(deps)
  }

  /** Checks the request and the destination, then exports as a job (progress, ETA, cancel). */
  async startWalk(params: z.output<typeof ExportWalkParams>): Promise<{ job: Job; done: Promise<ExportedWalk> }> {
    return this.startVideo(await WalkExport.prepare(params, this.deps), params.run.id)
  }

  /** A latent grid swept row by row in snake order, as a walk export (the same job, ffmpeg and record machinery). */
  async startGridVideo(params: z.output<typeof ExportGridVideoParams>): Promise<{ job: Job; done: Promise<ExportedWalk> }> {
    const { model } = await this.deps.exploration.models(params.run)
    const { walk, recipe } = gridSweep(params, this.deps.exploration, model)
    return this.startVideo(await WalkExport.prepare(walk, this.deps, recipe), params.run.id)
  }

  private startVideo(walk: WalkExport, runId: string): { job: Job; done: Promise<ExportedWalk> } {
    return this.deps.jobs.start({
      kind: 'export',
      title: walk.title,
      target: { kind: 'run', id: runId },
      run: (ctx) => walk.execute(ctx),
      doneMessage: (r) => `Wrote ${r.frames} frames (${r.width}×${r.height}, ${r.durationSeconds.toFixed(2)} s) to ${r.file}.`
    })
  }

  /** A big canvas as PNG: a job (progress, cancel); checks the request and the size before it starts. */
  startCanvas(params: z.output<typeof ExportCanvasParams>): Promise<{ job: Job; done: Promise<ExportedFile> }> {
    return startCanvasExport(params, { jobs: this.deps.jobs, canvases: this.canvases, figures: this.figures })
  }

  /** A run's sample grids over training as a video (a job); a run still training exports the grids it has. */
  async startTimelapse(params: z.output<typeof ExportTimelapseParams>): Promise<{ job: Job; done: Promise<ExportedTimelapse> }> {
    const timelapse = await TimelapseExport.prepare(params, this.deps)
    return this.deps.jobs.start({
      kind: 'export',
      title: timelapse.title,
      target: { kind: 'run', id: params.run.id },
      run: (ctx) => timelapse.execute(ctx),
      doneMessage: (r) => `Wrote ${r.grids} sample grids as ${r.frames} frames (${r.width}×${r.height}, ${r.durationSeconds.toFixed(2)} s) to ${r.file}.`
    })
  }

  grid(params: z.output<typeof ExportGridParams>): Promise<ExportedFile> {
    return this.figures.grid(params)
  }

  samples(params: z.output<typeof ExportSamplesParams>): Promise<ExportedFile> {
    return this.figures.samples(params)
  }

  image(params: z.output<typeof ExportImageParams>): Promise<ExportedFile> {
    return this.figures.image(params)
  }

  arithmetic(params: z.output<typeof ExportArithmeticParams>): Promise<ExportedFile> {
    return this.figures.arithmetic(params)
  }

  erasure(params: z.output<typeof ExportErasureParams>): Promise<ExportedFile> {
    return this.figures.erasure(params)
  }

  directions(params: z.output<typeof ExportDirectionsParams>): Promise<ExportedFile> {
    return this.figures.directions(params)
  }

  vectors(params: z.output<typeof ExportVectorsParams>): Promise<ExportedFile> {
    return this.vectorFiles.vectors(params)
  }

  concept(params: z.output<typeof ExportConceptParams>): Promise<ExportedFile> {
    return this.vectorFiles.concept(params)
  }
}
