import type { ExportZSpec } from '../../../shared/api/export'
import type { RunCheckpointRef } from '../../../shared/api/explore'
import { type ErasureRecord, type ForgetFitParams, ForgetFitReport, type MapWeight, type SaveErasureParams } from '../../../shared/api/forget'
import type { Job } from '../../../shared/api/jobs'
import { studio } from '../../api/client'
import { type Sample, sampleKey } from '../explore/selection'

/**
 * What the "Forget to draw" panel can do, as plain functions over the Studio API: the panel calls these,
 * these call the studio. Fitting is a job (seconds for the demo, longer for hundreds of samples at 128 px).
 */

/** The most z vectors one render request takes. */
const RENDER_LIMIT = 256

/**
 * Samples named by seed (or given as z), rendered through `run` — with its erasure, if it has one — in
 * requests the API accepts (a boxes file may name up to 1000 samples).
 */
export async function renderSamples(run: RunCheckpointRef, specs: ExportZSpec[]): Promise<{ samples: Sample[]; step: number }> {
  // Rendering takes z vectors as Float32Array; a boxes file read from JSON may carry plain arrays.
  const z = specs.map((spec) => (spec.kind === 'z' ? { kind: 'z' as const, z: spec.z instanceof Float32Array ? spec.z : new Float32Array(spec.z) } : spec))
  const samples: Sample[] = []
  let step = -1
  for (let from = 0; from < z.length; from += RENDER_LIMIT) {
    const result = await studio.call('explore.render', { run, z: z.slice(from, from + RENDER_LIMIT) })
    step = result.step
    result.samples.forEach((s, i) => {
      const spec = specs[from + i]
      const seed = spec?.kind === 'seed' ? spec.seed : null
      const index = spec?.kind === 'seed' ? (spec.index ?? 0) : 0
      samples.push({ key: sampleKey(seed, index, s.z), seed, index, z: s.z, image: s.image })
    })
  }
  return { samples, step }
}

/** `count` samples of a seed from index `from` on. */
export function seedSpecs(seed: number, from: number, count: number): ExportZSpec[] {
  return Array.from({ length: count }, (_, i) => ({ kind: 'seed' as const, seed, index: from + i }))
}

/** Starts fitting an erasure: a job (progress, cancel) whose result is a ForgetFitReport. */
export function startFit(params: ForgetFitParams): Promise<Job> {
  return studio.call('forget.fit', params)
}

/** The fit's report once its job is done (else null). */
export function fitReportOf(job: Job | null): ForgetFitReport | null {
  if (!job || job.state !== 'done') return null
  const parsed = ForgetFitReport.safeParse(job.result)
  return parsed.success ? parsed.data : null
}

export function cancelFit(job: Job): Promise<Job> {
  return studio.call('jobs.cancel', { id: job.id })
}

export function listErasures(runId: string): Promise<ErasureRecord[]> {
  return studio.call('erasures.list', { runId })
}

export function saveErasure(params: SaveErasureParams): Promise<ErasureRecord> {
  return studio.call('erasures.save', params)
}

export async function deleteErasure(id: string): Promise<void> {
  await studio.call('erasures.delete', { id })
}

/** The maps dropped when the top `n` by weight go (maps come largest weight first). */
export function topChannels(maps: readonly MapWeight[], n: number): number[] {
  return maps.slice(0, Math.max(0, n)).map((m) => m.channel)
}

/** Offers JSON as a file download (web mode and Electron alike: the page saves it, nothing on the server). */
export function downloadJson(fileName: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.click()
  // The click starts the download synchronously; revoke on the next turn so the browser has read the URL.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
