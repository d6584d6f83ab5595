import * as fs from 'node:fs'
import type { BackendName } from '../../shared/api/engine'
import { StudioError } from '../../shared/api/errors'
import type { Job } from '../../shared/api/jobs'
import type { CreateRunParams, RunDetails, RunListing } from '../../shared/api/runs'
import { CreateRunParams as CreateRunSchema } from '../../shared/api/runs'
import { ModelConfig } from '../../shared/formats/model'
import { RUN_FORMAT_VERSION, type RunRecord, type TrainEvent, TrainConfig } from '../../shared/formats/run'
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
      const record = await this.store.read(id).catch(() => null)
      if (!record || (record.status !== 'running' && record.status !== 'paused')) continue
      const latest = await this.store.latest(id).catch(() => null)
      await this.save({
        ...record,
        status: 'interrupted',
        statusMessage: `The studio stopped while this run was training. Resume continues from ${latest ? `step ${latest.step}` : 'the start'}.`
      })
    }
  }

  async list(): Promise<RunListing[]> {
    const listings: RunListing[] = []
    for (const id of await this.store.ids()) {
      const record = await this.store.read(id).catch(() => null)
      if (!record) continue
      const latest = await this.store.latest(id).catch(() => null)
      listings.push({ record, latestStep: latest?.step ?? null, training: this.sessions.has(id) })
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
      checkpoints: checkpoints.map((c) => ({ step: c.step, writtenAt: c.writtenAt })),
      sampleSteps: await this.store.sampleSteps(id),
      metrics: await this.store.metrics(id, maxPoints),
      warnings: record.warnings.map((w) => `Step ${w.step}: ${w.message}`)
    }
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
    const name = params.name?.trim() || `${dataset.name} ${dataset.size}px`
    const now = new Date().toISOString()
    const record: RunRecord = {
      formatVersion: RUN_FORMAT_VERSION,
      id: this.store.newId(name),
      name,
      createdAt: now,
      updatedAt: now,
      dataset: { id: dataset.id, name: dataset.name, count: dataset.count, size: dataset.size, channels: dataset.channels },
      model: ModelConfig.parse({ ...params.model, imageSize: dataset.size, channels: dataset.channels }),
      train: TrainConfig.parse(params.train),
      status: 'created',
      statusMessage: 'Ready to train.',
      warnings: [],
      cost: { backend: null, seconds: 0, steps: 0 }
    }
    return this.save(record)
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
    const datasetDir = this.datasets.folder(record.dataset.id)
    if (!fs.existsSync(datasetDir)) {
      throw new StudioError('not_found', `The dataset "${record.dataset.name}" (${record.dataset.id}) of this run is no longer in the library.`)
    }
    // A trainer that dies is not restarted behind the user's back: the run is marked interrupted instead.
    const host = new EngineHost({ launcher: this.launcher, backend: this.backend(), maxRestarts: 0 })
    let current = await this.save({ ...record, status: 'running', statusMessage: latest ? `Resuming from step ${latest.step}.` : 'Starting.' })
    const started = Date.now()
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
                this.events.emit('runs.event', { runId: id, event })
                this.reflect(event, ctx, target, id).catch(() => undefined)
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
        current = await this.store.read(id)
        await this.save({
          ...current,
          status: result.reason === 'completed' ? 'completed' : result.reason === 'stopped' ? 'stopped' : 'failed',
          statusMessage: result.message,
          cost: { backend: result.backend, seconds: current.cost.seconds + result.seconds, steps: result.step }
        })
      })
      .catch(async (err: unknown) => {
        current = await this.store.read(id)
        const latestNow = await this.store.latest(id).catch(() => null)
        const crashed = err instanceof StudioError && (err.code === 'engine_crashed' || err.code === 'engine_unavailable')
        await this.save({
          ...current,
          status: crashed ? 'interrupted' : 'failed',
          statusMessage: `${err instanceof Error ? err.message : String(err)} ${latestNow ? `The last complete checkpoint is step ${latestNow.step}; resume continues from there.` : ''}`.trim(),
          cost: { ...current.cost, seconds: current.cost.seconds + (Date.now() - started) / 1000 }
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

  private session(id: string): Session {
    const session = this.sessions.get(id)
    if (!session) throw new StudioError('bad_request', 'This run is not training.')
    return session
  }

  private async save(record: RunRecord): Promise<RunRecord> {
    const saved = await this.store.write(record)
    this.events.emit('runs.changed', saved)
    return saved
  }

  /** Mirrors trainer events into the job (progress bar, ETA, paused state) and the run record. */
  private async reflect(event: TrainEvent, ctx: { report(p: number | null, m: string, eta?: number | null): void; setState(s: 'running' | 'paused'): void }, target: number, id: string): Promise<void> {
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
        await this.save({ ...(await this.store.read(id)), status: 'paused', statusMessage: `Paused at step ${event.step}.` })
        return
      case 'resumed':
        ctx.setState('running')
        await this.save({ ...(await this.store.read(id)), status: 'running', statusMessage: `Training (resumed at step ${event.step}).` })
        return
      case 'started':
        ctx.report(null, `Training on ${event.backend}${event.notes.length ? ` — ${event.notes.join(' ')}` : ''}`)
        return
      case 'warning': {
        // Kept in run.json so the warning is still there when the run is opened later.
        const record = await this.store.read(id)
        const warnings = [...record.warnings, { step: event.step, code: event.code, message: event.message }].slice(-100)
        await this.save({ ...record, warnings })
        return
      }
      case 'sample':
      case 'checkpoint':
      case 'finished':
        return
    }
  }
}
