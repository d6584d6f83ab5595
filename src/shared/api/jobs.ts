import { z } from 'zod'
import { StudioErrorData } from './errors'

/**
 * Every long task (import, training, export, probe) is a job: it has a state, a progress bar, a message for
 * people, an ETA, and it can be cancelled. Progress is streamed as `jobs.changed` events.
 */
export const JobKind = z.enum(['import', 'train', 'export', 'experiment'])
export type JobKind = z.infer<typeof JobKind>

export const JobState = z.enum(['queued', 'running', 'paused', 'done', 'failed', 'cancelled'])
export type JobState = z.infer<typeof JobState>

export const Job = z.object({
  id: z.string(),
  kind: JobKind,
  title: z.string(),
  state: JobState,
  /** 0..1, or null while the total is not known yet. */
  progress: z.number().min(0).max(1).nullable(),
  message: z.string(),
  etaSeconds: z.number().min(0).nullable(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  /** What the job works on, so the UI can link to it. */
  target: z.object({ kind: z.enum(['dataset', 'run']), id: z.string() }).nullable(),
  /** Whether pause/resume apply (training). */
  pausable: z.boolean(),
  result: z.unknown().optional(),
  error: StudioErrorData.optional()
})
export type Job = z.infer<typeof Job>

export function isFinished(state: JobState): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled'
}
