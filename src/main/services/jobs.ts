import { randomUUID } from 'node:crypto'
import { StudioError, toErrorData } from '../../shared/api/errors'
import { type Job, type JobKind, isFinished } from '../../shared/api/jobs'

export interface JobContext {
  signal: AbortSignal
  /** progress: 0..1 or null (unknown total); etaSeconds optional. */
  report: (progress: number | null, message: string, etaSeconds?: number | null) => void
  setState: (state: 'running' | 'paused') => void
}

export interface JobSpec<R> {
  kind: JobKind
  title: string
  target?: Job['target']
  /** For pausable jobs (training): what pause and resume do. */
  pause?: () => Promise<void>
  resume?: () => Promise<void>
  /** A graceful cancel (e.g. stop training with a checkpoint) instead of aborting the signal. */
  cancel?: () => Promise<void>
  run(ctx: JobContext): Promise<R>
  /** Message shown when the job finishes successfully. */
  doneMessage?: (result: R) => string
}

/** Finished jobs kept for the UI's list. */
const KEEP_FINISHED = 50

/**
 * The job registry: every long task runs through here, so every one has progress, a message, an ETA and a
 * cancel button, and every change reaches the UI as a `jobs.changed` event.
 */
export class Jobs {
  private readonly jobs = new Map<string, { job: Job; controller: AbortController; spec: JobSpec<unknown> }>()

  constructor(private readonly onChange: (job: Job) => void) {}

  list(): Job[] {
    return [...this.jobs.values()].map((entry) => entry.job)
  }

  get(id: string): Job {
    const entry = this.jobs.get(id)
    if (!entry) throw new StudioError('not_found', `There is no job ${id}.`)
    return entry.job
  }

  /** Starts a job now; resolves with the job as it was registered (the work continues in the background). */
  start<R>(spec: JobSpec<R>): { job: Job; done: Promise<R> } {
    const controller = new AbortController()
    const job: Job = {
      id: randomUUID(),
      kind: spec.kind,
      title: spec.title,
      state: 'running',
      progress: null,
      message: 'Starting…',
      etaSeconds: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      target: spec.target ?? null,
      pausable: Boolean(spec.pause && spec.resume)
    }
    this.jobs.set(job.id, { job, controller, spec: spec as JobSpec<unknown> })
    this.prune()
    this.onChange(job)
    const update = (changes: Partial<Job>): void => {
      const entry = this.jobs.get(job.id)
      if (!entry || isFinished(entry.job.state)) return
      entry.job = { ...entry.job, ...changes }
      this.onChange(entry.job)
    }
    const ctx: JobContext = {
      signal: controller.signal,
      report: (progress, message, etaSeconds = null) => update({ progress, message, etaSeconds }),
      setState: (state) => update({ state })
    }
    const done = spec.run(ctx).then(
      (result) => {
        this.finish(job.id, { state: 'done', progress: 1, etaSeconds: null, message: spec.doneMessage?.(result) ?? 'Done.', result })
        return result
      },
      (err: unknown) => {
        const error = toErrorData(err)
        const cancelled = error.code === 'cancelled' || controller.signal.aborted
        this.finish(
          job.id,
          cancelled ? { state: 'cancelled', message: 'Cancelled.', etaSeconds: null } : { state: 'failed', message: error.message, error, etaSeconds: null }
        )
        throw err
      }
    )
    // The caller may not await `done`; a failure is already recorded on the job.
    done.catch(() => undefined)
    return { job, done }
  }

  async cancel(id: string): Promise<Job> {
    const entry = this.jobs.get(id)
    if (!entry) throw new StudioError('not_found', `There is no job ${id}.`)
    if (isFinished(entry.job.state)) return entry.job
    if (entry.spec.cancel) await entry.spec.cancel()
    else entry.controller.abort()
    return entry.job
  }

  async pause(id: string): Promise<void> {
    const entry = this.jobs.get(id)
    if (!entry?.spec.pause) throw new StudioError('bad_request', 'This job cannot be paused.')
    await entry.spec.pause()
  }

  async resume(id: string): Promise<void> {
    const entry = this.jobs.get(id)
    if (!entry?.spec.resume) throw new StudioError('bad_request', 'This job cannot be resumed.')
    await entry.spec.resume()
  }

  private finish(id: string, changes: Partial<Job>): void {
    const entry = this.jobs.get(id)
    if (!entry) return
    entry.job = { ...entry.job, ...changes, finishedAt: new Date().toISOString() }
    this.onChange(entry.job)
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((e) => isFinished(e.job.state))
    for (const entry of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(entry.job.id)
  }
}
