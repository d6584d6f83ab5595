import type { MethodParams, MethodResult, StudioMethod } from '../../shared/api/contract'
import type { BackendName } from '../../shared/api/engine'
import { StudioError } from '../../shared/api/errors'
import { UsageError } from './args'
import type { Job } from '../../shared/api/jobs'
import type { Output } from './output'
import { launchNodeEngine } from '../services/engine-process'
import { resolveLibrary } from '../services/library'
import { Studio } from '../services/studio'

/** The Studio services for one CLI command, with engines as Node child processes. */
export async function openCliStudio(library: string | undefined, backend: BackendName | null): Promise<Studio> {
  return Studio.open({ libraryRoot: resolveLibrary({ flag: library }).root, launcher: launchNodeEngine, backend })
}

/** How long a command that handles Ctrl+C may take to wind down (training writes a checkpoint first). */
const GRACE_MS = 60_000

/**
 * Runs `work`, closing the studio (and its engines) afterwards and on Ctrl+C. A command that handles
 * `interrupted` (training stops with a checkpoint, an export cleans up) gets to finish; any command still
 * running after the grace period — or one that ignores it — is ended, with its engines.
 */
export async function withCliStudio<T>(
  library: string | undefined,
  backend: BackendName | null,
  work: (studio: Studio, interrupted: Promise<void>) => Promise<T>
): Promise<T> {
  const studio = await openCliStudio(library, backend)
  // A command that takes `interrupted` handles Ctrl+C itself and gets the grace period; others end at once.
  const graceMs = work.length >= 2 ? GRACE_MS : 0
  let onSignal: () => void = () => {}
  const interrupted = new Promise<void>((resolve) => {
    onSignal = () => {
      resolve()
      setTimeout(() => {
        process.stderr.write('Interrupted.\n')
        void studio.close().finally(() => process.exit(130))
      }, graceMs).unref()
    }
  })
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    return await work(studio, interrupted)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await studio.close()
  }
}

export function parseIntOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number, got "${value}"`)
  return n
}

/** The options that name a model to draw with: a run, a checkpoint of it, and a saved erasure (see "forget"). */
export const RUN_OPTIONS = { run: { type: 'string' }, checkpoint: { type: 'string' }, erasure: { type: 'string' } } as const

export function parseRunRef(values: { run?: string | undefined; checkpoint?: string | undefined; erasure?: string | undefined }): {
  id: string
  step: number | null
  erasure: string | null
} {
  if (!values.run) throw new UsageError('--run RUN is required (see "dcgan-studio runs").')
  return { id: values.run, step: parseIntOption('checkpoint', values.checkpoint) ?? null, erasure: values.erasure ?? null }
}

export function parseNumberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${value}"`)
  return n
}

/** A Studio API call from the CLI: validated like any front end's, failing with the service's own error. */
export async function callStudio<M extends StudioMethod>(studio: Studio, method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
  const outcome = await studio.call(method, params)
  if (!outcome.ok) throw StudioError.fromData(outcome.error)
  return outcome.result as MethodResult<M>
}

/** A job cancelled with Ctrl+C ends the command with 130 and says nothing was written; other errors go on up. */
export function exitCodeIfCancelled(err: unknown, out: Output): number {
  if (err instanceof StudioError && err.code === 'cancelled') {
    out.emit({ event: 'cancelled' })
    out.say('Cancelled; nothing was written.')
    return 130
  }
  throw err
}

/** Progress of a job on the command line: every change as a JSON line, or a human line a second. */
export function followJob(studio: Studio, job: Job, out: Output): () => void {
  let lastLine = 0
  return studio.events.subscribe((event, payload) => {
    if (event !== 'jobs.changed') return
    const changed = payload as Job
    if (changed.id !== job.id || changed.state !== 'running') return
    out.emit({ event: 'progress', progress: changed.progress, message: changed.message, etaSeconds: changed.etaSeconds })
    if (!out.json && Date.now() - lastLine > 1000) {
      lastLine = Date.now()
      const eta = changed.etaSeconds === null ? '' : ` (about ${Math.ceil(changed.etaSeconds)} s left)`
      out.say(`${changed.progress === null ? '' : `${Math.round(changed.progress * 100)}% `}${changed.message}${eta}`)
    }
  })
}

/**
 * A studio job run from the command line: its progress as it goes, Ctrl+C (`interrupted`) cancels it. Its
 * result, or null once a cancel has been reported (the command then exits 130); other failures go on up.
 */
export async function awaitJob<T>(studio: Studio, interrupted: Promise<void>, started: { job: Job; done: Promise<T> }, out: Output): Promise<T | null> {
  void interrupted.then(() => studio.jobs.cancel(started.job.id))
  const off = followJob(studio, started.job, out)
  try {
    return await started.done
  } catch (err) {
    exitCodeIfCancelled(err, out)
    return null
  } finally {
    off()
  }
}
