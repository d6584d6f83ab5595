import * as fs from 'node:fs'
import * as path from 'node:path'
import type { z } from 'zod'
import { DIRECTIONS_FORMAT_VERSION, DirectionsReport, type DirectionsParams, type DirectionsSettings } from '../../shared/api/directions'
import { stepName } from '../../shared/formats/run'
import type { Job } from '../../shared/api/jobs'
import { writeJsonAtomic } from '../../node/atomic-files'
import type { EngineHost } from './engine-host'
import type { Explorer } from './explorer'
import type { Jobs } from './jobs'
import type { RunStore } from './run-store'

type Params = z.output<typeof DirectionsParams>

/** Where a run keeps the directions found on its checkpoints (a cache: each file can be found again). */
export const DIRECTIONS_FOLDER = 'directions'

/**
 * Directions without labels on the Node side: resolves the checkpoint, finds the directions on the explorer
 * engine as a job (progress, cancel), and keeps them in the run's folder, one file per checkpoint and
 * settings, so the panel, the CLI and exports find the same ones again without the minute of work.
 */
export class Directions {
  constructor(
    private readonly engine: EngineHost,
    private readonly exploration: Explorer,
    private readonly runs: RunStore,
    private readonly jobs: Jobs
  ) {}

  /** The directions already found for these settings on this checkpoint, or null. */
  async find(params: Params): Promise<DirectionsReport | null> {
    const { step } = await this.checkpoint(params)
    return this.cached(params.run.id, step, params)
  }

  /** Finds the directions as a job whose result is a DirectionsReport (at once when they were found before). */
  async start(params: Params): Promise<{ job: Job; done: Promise<DirectionsReport> }> {
    const { step } = await this.checkpoint(params)
    return this.jobs.start({
      kind: 'experiment',
      title: `Find ${params.top} directions on ${params.layer} from ${params.samples.toLocaleString('en')} samples (${params.run.id})`,
      target: { kind: 'run', id: params.run.id },
      run: (ctx) =>
        this.ensure({ ...params, run: { ...params.run, step } }, { signal: ctx.signal, onProgress: (progress, message) => ctx.report(progress, message) }),
      doneMessage: (r) =>
        `The top ${r.components.length} components of ${r.layer} explain ${(100 * r.components.reduce((s, c) => s + c.explained, 0)).toFixed(1)}% of its variance.`
    })
  }

  /** The directions for these settings: kept ones, else found now (and kept). */
  async ensure(params: Params, options: { signal?: AbortSignal; onProgress?: (progress: number, message: string) => void } = {}): Promise<DirectionsReport> {
    const { source, model, step } = await this.checkpoint(params)
    const kept = await this.cached(params.run.id, step, params)
    if (kept) return kept
    const settings = settingsOf(params)
    const found = await this.engine.request('directions', { generator: source, ...settings }, options)
    const run = await this.runs.read(params.run.id)
    // Parsed, so a report found now has the same shape (and key order, on disk) as one read back later.
    const report = DirectionsReport.parse({
      formatVersion: DIRECTIONS_FORMAT_VERSION,
      kind: 'dcgan-studio-directions',
      run: { id: run.id, name: run.name, checkpointStep: step },
      zDim: model.zDim,
      settings,
      createdAt: new Date().toISOString(),
      ...found
    })
    await fs.promises.mkdir(path.dirname(this.file(run.id, step, settings)), { recursive: true })
    await writeJsonAtomic(this.file(run.id, step, settings), asJson(report))
    return report
  }

  /** The checkpoint (without any erasure: directions are G's own). */
  private checkpoint(params: Params): ReturnType<Explorer['models']> {
    return this.exploration.models({ ...params.run, erasure: null })
  }

  private file(runId: string, step: number, s: DirectionsSettings): string {
    return path.join(this.runs.folder(runId), DIRECTIONS_FOLDER, `${stepName(step)}-${s.layer}-n${s.samples}-k${s.top}-seed${s.seed}.json`)
  }

  /** A kept file that no longer reads (edited, truncated) is found again rather than trusted. */
  private async cached(runId: string, step: number, params: Params): Promise<DirectionsReport | null> {
    const text = await fs.promises.readFile(this.file(runId, step, settingsOf(params)), 'utf8').catch(() => null)
    if (text === null) return null
    try {
      const parsed = DirectionsReport.safeParse(JSON.parse(text))
      return parsed.success && parsed.data.run.checkpointStep === step ? parsed.data : null
    } catch {
      return null
    }
  }
}

function settingsOf(params: Params): DirectionsSettings {
  return { layer: params.layer, samples: params.samples, top: params.top, seed: params.seed }
}

/** The report with its vectors as plain arrays, as it is written to disk. */
export function asJson(report: DirectionsReport): unknown {
  return { ...report, components: report.components.map((c) => ({ ...c, vector: Array.from(c.vector) })) }
}
