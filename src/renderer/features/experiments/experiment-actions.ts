import { type ProbeParams, ProbeReport, type ProjectParams, ProjectReport } from '../../../shared/api/experiments'
import type { Job } from '../../../shared/api/jobs'
import { studio } from '../../api/client'
import { copyText } from '../../api/clipboard'
import { zToText } from '../explore/selection'

/**
 * What the Experiments screen can do, as plain functions over the Studio API: panels call these, these call
 * the studio. Both experiments are jobs; their results arrive on the job when it is done.
 */

export function startProbe(params: ProbeParams): Promise<Job> {
  return studio.call('experiments.probe', params)
}

export function startProjection(params: ProjectParams): Promise<Job> {
  return studio.call('experiments.project', params)
}

export function cancelJob(job: Job): Promise<Job> {
  return studio.call('jobs.cancel', { id: job.id })
}

/** The probe's report once its job is done (else null). */
export function probeReportOf(job: Job | null): ProbeReport | null {
  if (!job || job.state !== 'done') return null
  const parsed = ProbeReport.safeParse(job.result)
  return parsed.success ? parsed.data : null
}

/** The projection's report once its job is done (else null). */
export function projectReportOf(job: Job | null): ProjectReport | null {
  if (!job || job.state !== 'done') return null
  const parsed = ProjectReport.safeParse(job.result)
  return parsed.success ? parsed.data : null
}

/**
 * Copies a projected z as the JSON array the Explore tray's "Paste z…" takes (and that is the `z` of a
 * `{ kind: 'z', z }` ZSpec), so it can join walks, arithmetic and exports. Returns the text when the
 * clipboard refuses (e.g. a page without focus), for the panel to show instead.
 */
export async function copyZ(z: Float32Array): Promise<{ copied: boolean; text: string }> {
  const text = zToText(z)
  return { copied: await copyText(text), text }
}

/** An accuracy as a percentage with one decimal. */
export function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`
}

/** A pixel error readable at any size: 0.0123, or 1.2e-5 once four decimals would show only zeros. */
export function formatError(mse: number): string {
  return mse > 0 && mse < 1e-3 ? mse.toExponential(1) : mse.toFixed(4)
}

/** Pixel MSE on the model's [-1, 1] scale as root-mean-square 8-bit grey levels, easier to picture. */
export function greyLevels(mse: number): string {
  return (Math.sqrt(mse) * 127.5).toFixed(1)
}
