import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { BackendName } from '../../shared/api/engine'
import { StudioError, fieldError } from '../../shared/api/errors'
import type { Job } from '../../shared/api/jobs'
import type { CreateRunParams, RunDetails, RunListing } from '../../shared/api/runs'
import { CreateRunParams as CreateRunSchema, widthProblem } from '../../shared/api/runs'
import { ModelConfig } from '../../shared/formats/model'
import {
  type ImportedFrom,
  ImportModelParams as ImportModelSchema,
  MODEL_FORMAT_LABELS,
  missingNetworkMessage,
  networksOf
} from '../../shared/formats/model-import'
import type { ImportModelParams } from '../../shared/formats/model-import'
import { RUN_FILES, RUN_FORMAT_VERSION, type RunRecord, type TrainEvent, TrainConfig } from '../../shared/formats/run'
import { writeJsonAtomic } from '../../node/atomic-files'
import type { TrainSessionResult } from '../../shared/engine-protocol'
import type { Datasets } from './datasets'
import { EngineHost } from './engine-host'
import type { EngineLauncher } from './engine-process'
import type { StudioEvents } from './events'
import type { Jobs } from './jobs'
import { RunStore } from './run-store'

interface Session {
  host: EngineHost
  job: Job
  /** Settles once training has ended and the run record says how. */
  finished: Promise<void>
}

/**
 * Training runs: create, start (in a trainer engine process of its own), pause, resume, stop, branch, delete.
 * Progress flows engine → here → `runs.event` / `jobs.changed` events; the run's files on disk are the truth,
 * so a run whose app or trainer died is found at its last complete checkpoint and resumes from there.
 */
export class Runs {
  readonly store: RunStore
  private readonly sessions = new Map<string, Session>()

  constructor(
    runsDir: string,
    private readonly datasets: Datasets,
    private readonly jobs: Jobs,
    private readonly events: StudioEvents,
    private readonly launcher: EngineLauncher,
    /** The backend trainers use (the user's setting, or a --backend flag), read at each start. */
    private readonly backend: () => BackendName | null
  ) {
    this.store = new RunStore(runsDir)
  }

  /** Runs left 'running' or 'paused' by an app that died are 'interrupted': resumable from their checkpoint. */
  async recover(): Promise<void> {
    for (const id of await this.store.ids()) {
      await this.update(id, async (record) => {
        if (record.status !== 'running' && record.status !== 'paused') return null
        const latest = await this.store.latest(id).catch(() => null)
        return {
          ...record,
          status: 'interrupted',
          statusMessage: `The studio stopped while this run was training. Resume continues from ${latest ? `step ${latest.step}` : 'the start'}.`
        }
      }).catch(() => null) // A damaged record is left as it is; list() and get() say what is wrong with it.
    }
  }

  async list(): Promise<RunListing[]> {
    const listings: RunListing[] = []
    for (const id of await this.store.ids()) {
      const record = await this.store.read(id).catch(() => null)
      if (!record) continue
      const latest = await this.store.latest(id).catch(() => null)
      listings.push({ record, latestStep: latest?.step ?? null, training: this.sessions.has(id), datasetPresent: this.datasetPresent(record) })
    }
    return listings.sort((a, b) => b.record.createdAt.localeCompare(a.record.createdAt))
  }

  async get(id: string, maxPoints = 1000): Promise<RunDetails> {
    const record = await this.store.read(id)
    const latest = await this.store.latest(id).catch(() => null)
    const checkpoints = await this.store.checkpoints(id)
    return {
      record,
      latestStep: latest?.step ?? null,
      training: this.sessions.has(id),
      datasetPresent: this.datasetPresent(record),
      checkpoints: checkpoints.map((c) => ({ step: c.step, writtenAt: c.writtenAt })),
      sampleSteps: await this.store.sampleSteps(id),
      metrics: await this.store.metrics(id, maxPoints),
      warnings: record.warnings.map((w) => `Step ${w.step}: ${w.message}`)
    }
  }

  /**
   * A run holding a model trained elsewhere (src/engine/import-model.ts): read and written as step 0 in a
   * staging folder by an engine of its own, then moved into place with its record. A file that is not a DCGAN
   * the studio reads fails with what it holds, and leaves nothing in the library.
   */
  async importModel(input: ImportModelParams): Promise<RunRecord> {
    const params = ImportModelSchema.parse(input)
    await removeStaleImports(this.store.dir)
    const staging = path.join(this.store.dir, `${IMPORT_STAGING_PREFIX}${randomBytes(4).toString('hex')}`)
    const host = new EngineHost({ launcher: this.launcher, backend: this.backend(), maxRestarts: 0 })
    try {
      await fs.promises.mkdir(staging, { recursive: true })
      await host.start()
      const { model, imported } = await host.request('importModel', {
        source: params.source,
        format: params.format,
        runDir: staging,
        noise: params.noise,
        seed: 1,
        ...(params.statisticsSamples ? { statisticsSamples: params.statisticsSamples } : {})
      })
      const record = this.newRecord(params.name?.trim() || importedName(imported), {
        dataset: null,
        model,
        train: TrainConfig.parse({}),
        status: 'stopped',
        statusMessage: `A model trained elsewhere, read from ${MODEL_FORMAT_LABELS[imported.format].replace(/ \(.*\)$/, '')}: it has no training history here.`,
        imported
      })
      await writeJsonAtomic(path.join(staging, RUN_FILES.record), record)
      await fs.promises.rename(staging, this.store.folder(record.id))
      this.events.emit('runs.changed', record)
      return record
    } finally {
      await host.stop()
      await fs.promises.rm(staging, { recursive: true, force: true })
    }
  }

  /** Trains the run on `datasetId` from now on (an imported run has none until then); the images must fit its model. */
  async chooseDataset(id: string, datasetId: string): Promise<RunRecord> {
    const dataset = await this.datasets.get(datasetId)
    const updated = await this.update(id, (record) => {
      if (this.sessions.has(id)) throw new StudioError('bad_request', 'This run is training; stop it before choosing another dataset.')
      if (dataset.size !== record.model.imageSize || dataset.channels !== record.model.channels) {
        throw new StudioError(
          'bad_request',
          `The dataset "${dataset.name}" holds ${dataset.size} px ${dataset.channels === 1 ? 'grayscale' : 'colour'} images, but "${record.name}" makes ${record.model.imageSize} px ${record.model.channels === 1 ? 'grayscale' : 'colour'} ones. Import the images again at ${record.model.imageSize} px${record.model.channels === 1 ? ' as grayscale' : ''}.`
        )
      }
      return { ...record, dataset: datasetRef(dataset) }
    })
    return updated as RunRecord
  }

  async create(input: CreateRunParams): Promise<RunRecord> {
    const params = CreateRunSchema.parse(input)
    const dataset = await this.datasets.get(params.datasetId)
    if (dataset.size !== 32 && dataset.size !== 64 && dataset.size !== 128) {
      throw new StudioError(
        'bad_request',
        `The dataset "${dataset.name}" holds ${dataset.size}×${dataset.size} images, but a DCGAN trains at 32, 64 or 128 px. Import it again at one of those sizes.`
      )
    }
    for (const key of ['genWidth', 'discWidth'] as const) {
      const width = params.model[key]
      const problem = width === undefined ? null : widthProblem(width, dataset.size)
      if (problem) throw fieldError(['model', key], problem, `The width ${width} ${problem}.`)
    }
    const record = this.newRecord(params.name?.trim() || `${dataset.name} ${dataset.size}px`, {
      dataset: datasetRef(dataset),
      model: ModelConfig.parse({ ...params.model, imageSize: dataset.size, channels: dataset.channels }),
      train: TrainConfig.parse(params.train),
      status: 'created',
      statusMessage: 'Ready to train.'
    })
    const saved = await this.store.create(record)
    this.events.emit('runs.changed', saved)
    return saved
  }

  /** The record of a new run named `name`, with no history yet. */
  private newRecord(name: string, fields: Pick<RunRecord, 'dataset' | 'model' | 'train' | 'status' | 'statusMessage'> & Partial<RunRecord>): RunRecord {
    const now = new Date().toISOString()
    return {
      formatVersion: RUN_FORMAT_VERSION,
      id: this.store.newId(name),
      name,
      createdAt: now,
      updatedAt: now,
      warnings: [],
      cost: { backend: null, seconds: 0, steps: 0 },
      ...fields
    }
  }

  /** Starts (or resumes from its last checkpoint) training in a trainer engine of its own. */
  async start(id: string, steps?: number): Promise<Job> {
    if (this.sessions.has(id)) throw new StudioError('bad_request', 'This run is already training.')
    const record = await this.store.read(id)
    const target = steps ?? record.train.steps
    const latest = await this.store.latest(id).catch(() => null)
    if (latest && latest.step >= target) {
      throw new StudioError('bad_request', `Run "${record.name}" is already at step ${latest.step}; ask for more than ${target} steps to train further.`)
    }
    const missing = (['G', 'D'] as const).find((net) => !networksOf(record).includes(net))
    if (missing)
      throw new StudioError(
        'bad_request',
        missingNetworkMessage(
          missing,
          record.imported?.files.map((f) => f.name)
        )
      )
    if (record.dataset === null) {
      throw new StudioError(
        'bad_request',
        `"${record.name}" was imported without a dataset; choose one to train it further (dcgan-studio resume ${id} --dataset ID, with images of ${record.model.imageSize} px and ${record.model.channels === 1 ? 'one channel' : 'three channels'}).`
      )
    }
    const datasetDir = this.datasets.folder(record.dataset.id)
    if (!fs.existsSync(datasetDir)) {
      const again = record.dataset.recipe
        ? ' It can be made again from the recipe the run records: "Train further" in Runs, or dcgan-studio resume RUN --recreate-dataset.'
        : ' Its checkpoints can still be explored, but it cannot train further without it.'
      throw new StudioError('not_found', `The dataset "${record.dataset.name}" (${record.dataset.id}) of this run is not in the library.${again}`)
    }
    // A trainer that dies is not restarted behind the user's back: the run is marked interrupted instead.
    const host = new EngineHost({ launcher: this.launcher, backend: this.backend(), maxRestarts: 0 })
    await this.update(id, (current) => ({ ...current, status: 'running', statusMessage: latest ? `Resuming from step ${latest.step}.` : 'Starting.' }))
    const started = Date.now()
    // The cost before this session; each checkpoint brings it up to date (below), so a studio killed outright
    // leaves a record that is true to its last checkpoint.
    const before = record.cost
    let backend = record.cost.backend
    // Set before the final status is queued: trainer events that are applied after it leave the status alone.
    let ended = false
    const { job, done } = this.jobs.start<TrainSessionResult>({
      kind: 'train',
      title: `Train ${record.name}`,
      target: { kind: 'run', id },
      pause: async () => {
        await host.request('trainControl', { action: 'pause' })
      },
      resume: async () => {
        await host.request('trainControl', { action: 'resume' })
      },
      cancel: async () => {
        await host.request('trainControl', { action: 'stop' })
      },
      run: async (ctx) => {
        try {
          await host.start()
          return await host.request(
            'train',
            { runDir: this.store.folder(id), datasetDir, model: record.model, train: record.train, steps: target },
            {
              onEvent: (event) => {
                // Queued now, in the order the trainer sent them, so each lands before the next and before the
                // final status (queued when the trainer has answered, after its last event); and before anyone
                // hears of the event, so a reader who waits on the store's queue then sees it in the record.
                if (RECORD_EVENTS.has(event.kind)) this.update(id, (current) => applyTrainEvent(current, event, !ended, target)).catch(() => undefined)
                if (event.kind === 'started') backend = event.backend
                if (event.kind === 'checkpoint' && !ended) {
                  const cost = { backend, seconds: before.seconds + (Date.now() - started) / 1000, steps: event.step }
                  this.update(id, (current) => ({ ...current, cost })).catch(() => undefined)
                }
                this.events.emit('runs.event', { runId: id, event })
                this.reflect(event, ctx, target)
              }
            }
          )
        } finally {
          await host.stop()
        }
      },
      doneMessage: (result) => result.message
    })
    const finished = done
      .then(async (result) => {
        ended = true
        await this.update(id, (current) => ({
          ...current,
          status: result.reason === 'completed' ? 'completed' : result.reason === 'stopped' ? 'stopped' : 'failed',
          statusMessage: result.message,
          cost: { backend: result.backend, seconds: before.seconds + result.seconds, steps: result.step }
        }))
      })
      .catch(async (err: unknown) => {
        ended = true
        const crashed = err instanceof StudioError && (err.code === 'engine_crashed' || err.code === 'engine_unavailable')
        await this.update(id, async (current) => {
          const latestNow = await this.store.latest(id).catch(() => null)
          return {
            ...current,
            status: crashed ? 'interrupted' : 'failed',
            statusMessage:
              `${err instanceof Error ? err.message : String(err)} ${latestNow ? `The last complete checkpoint is step ${latestNow.step}; resume continues from there.` : ''}`.trim(),
            cost: { ...current.cost, seconds: before.seconds + (Date.now() - started) / 1000 }
          }
        })
      })
      .finally(() => this.sessions.delete(id))
    this.sessions.set(id, { host, job, finished })
    return job
  }

  /** Resolves when the run's current training session has ended and its record is saved. */
  async waitUntilFinished(id: string): Promise<void> {
    await this.sessions.get(id)?.finished
  }

  async pause(id: string): Promise<void> {
    await this.jobs.pause(this.session(id).job.id)
  }

  async resume(id: string): Promise<void> {
    await this.jobs.resume(this.session(id).job.id)
  }

  /** Stops training after the current step, writing a checkpoint; resolves when the trainer has finished. */
  async stop(id: string): Promise<void> {
    const session = this.session(id)
    await this.jobs.cancel(session.job.id)
    await session.finished
  }

  async branch(id: string, step: number, name?: string): Promise<RunRecord> {
    const source = await this.store.read(id)
    const checkpoints = await this.store.checkpoints(id)
    if (!checkpoints.some((c) => c.step === step)) {
      throw new StudioError('not_found', `Run "${source.name}" has no complete checkpoint at step ${step}.`)
    }
    const branchName = name?.trim() || `${source.name} (branch at ${step})`
    const now = new Date().toISOString()
    const record: RunRecord = {
      ...source,
      id: this.store.newId(branchName),
      name: branchName,
      createdAt: now,
      updatedAt: now,
      status: 'stopped',
      statusMessage: `Branched from "${source.name}" at step ${step}.`,
      branchedFrom: { runId: source.id, step },
      warnings: source.warnings.filter((w) => w.step <= step),
      cost: { ...source.cost }
    }
    await this.store.branch(source, step, record)
    this.events.emit('runs.changed', record)
    return record
  }

  async delete(id: string): Promise<void> {
    if (this.sessions.has(id)) throw new StudioError('bad_request', 'Stop the run before deleting it.')
    await this.store.read(id)
    await this.store.remove(id)
  }

  isTraining(id: string): boolean {
    return this.sessions.has(id)
  }

  /** Stops every training session (writing checkpoints), e.g. when the app quits. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.stop(id).catch(() => undefined)))
  }

  private datasetPresent(record: RunRecord): boolean {
    try {
      return record.dataset !== null && fs.existsSync(this.datasets.folder(record.dataset.id))
    } catch {
      return false
    }
  }

  private session(id: string): Session {
    const session = this.sessions.get(id)
    if (!session) throw new StudioError('bad_request', 'This run is not training.')
    return session
  }

  /** Changes the run's record through the store's queue (see RunStore.update) and tells the front ends. */
  private async update(id: string, change: (record: RunRecord) => RunRecord | null | Promise<RunRecord | null>): Promise<RunRecord | null> {
    const saved = await this.store.update(id, change)
    if (saved) this.events.emit('runs.changed', saved)
    return saved
  }

  /** Mirrors trainer events into the job: progress bar, ETA, paused state. */
  private reflect(
    event: TrainEvent,
    ctx: { report(p: number | null, m: string, eta?: number | null): void; setState(s: 'running' | 'paused'): void },
    target: number
  ): void {
    switch (event.kind) {
      case 'progress': {
        const m = event.metrics
        ctx.report(
          Math.min(1, m.step / target),
          `Step ${m.step}/${target} · D loss ${m.dLoss.toFixed(3)} · G loss ${m.gLoss.toFixed(3)} · ${m.imagesPerSecond.toFixed(1)} img/s`,
          event.etaSeconds
        )
        return
      }
      case 'paused':
        ctx.setState('paused')
        return
      case 'resumed':
        ctx.setState('running')
        return
      case 'started':
        ctx.report(null, `Training on ${event.backend}${event.notes.length ? ` — ${event.notes.join(' ')}` : ''}`)
        return
      case 'warning':
      case 'sample':
      case 'checkpoint':
      case 'finished':
        return
    }
  }
}

/** The trainer events that change the run record. */
const RECORD_EVENTS = new Set<TrainEvent['kind']>(['started', 'paused', 'resumed', 'warning'])

/**
 * A trainer event applied to the run record as it is when the event's turn comes (null: nothing to write).
 * Warnings are kept in run.json so they are still there when the run is opened later. Only a live session's
 * events change the status: once the session has ended, the status it ended with is the last word.
 */
export function applyTrainEvent(record: RunRecord, event: TrainEvent, sessionLive: boolean, target: number): RunRecord | null {
  switch (event.kind) {
    case 'started':
      // The record said "Starting." until now; from here it says what the trainer is doing.
      return sessionLive
        ? { ...record, statusMessage: `Training on ${event.backend} from step ${event.step} towards ${target} (batch ${event.batchSize}).` }
        : null
    case 'paused':
      return sessionLive ? { ...record, status: 'paused', statusMessage: `Paused at step ${event.step}.` } : null
    case 'resumed':
      return sessionLive ? { ...record, status: 'running', statusMessage: `Training (resumed at step ${event.step}).` } : null
    case 'warning':
      return { ...record, warnings: [...record.warnings, { step: event.step, code: event.code, message: event.message }].slice(-100) }
    default:
      return null
  }
}

/** "netG.pth 64px" style names: the file's folder and size, which is how a user tells imports apart. */
function importedName(imported: ImportedFrom): string {
  const source = path.basename(imported.source).replace(/\.[a-z]+$/i, '')
  return `${source} (imported, ${imported.architecture.imageSize}px)`
}

/** What a run records of its dataset. */
function datasetRef(dataset: { id: string; name: string; count: number; size: number; channels: 1 | 3 }): NonNullable<RunRecord['dataset']> {
  return { id: dataset.id, name: dataset.name, count: dataset.count, size: dataset.size, channels: dataset.channels }
}

/** Staging folders of model imports (hidden from run listings) are named with this prefix. */
const IMPORT_STAGING_PREFIX = '.import-'
/** An import that has not finished within a day was killed (a live one writes far sooner): its folder goes. */
const STALE_IMPORT_MS = 24 * 60 * 60 * 1000

/** Removes what killed imports left behind; another process's import in progress is younger and stays. */
async function removeStaleImports(runsDir: string): Promise<void> {
  const entries = await fs.promises.readdir(runsDir, { withFileTypes: true }).catch(() => [])
  const now = Date.now()
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(IMPORT_STAGING_PREFIX)) continue
    const folder = path.join(runsDir, entry.name)
    const stat = await fs.promises.stat(folder).catch(() => null)
    if (stat && now - stat.mtimeMs > STALE_IMPORT_MS) await fs.promises.rm(folder, { recursive: true, force: true })
  }
}
