import type { z } from 'zod'
import type {
  ExportArithmeticParams,
  ExportCanvasParams,
  ExportConceptParams,
  ExportErasureParams,
  ExportTimelapseParams,
  ExportWalkParams,
  VideoFormat
} from '../../../shared/api/export'
import { ExportedFile, ExportedTimelapse, ExportedWalk } from '../../../shared/api/export'
import type { ExportGridParams, ExportGridVideoParams } from '../../../shared/api/grid'
import { StudioError } from '../../../shared/api/errors'
import { isFinished } from '../../../shared/api/jobs'
import type { Job } from '../../../shared/api/jobs'
import { studio } from '../../api/client'

/**
 * What the export UI can do, as plain functions over the Studio API: panels call these, these call the
 * studio. Paths are on the machine running the studio; a relative one lands in the library's exports/ folder.
 */

export function startWalkExport(params: ExportWalkParams): Promise<Job> {
  return studio.call('export.walk', params)
}

/**
 * A big canvas as PNG: starts the export job, reports each change of it (for a progress bar with cancel), and
 * resolves with the file once the job is done (rejects when it fails or is cancelled).
 */
export async function exportCanvas(params: ExportCanvasParams, onJob: (job: Job) => void): Promise<ExportedFile> {
  let id: string | null = null
  const early: Job[] = []
  let done: (job: Job) => void = () => undefined
  const finished = new Promise<Job>((resolve) => (done = resolve))
  const handle = (job: Job): void => {
    if (job.id !== id) return
    onJob(job)
    if (isFinished(job.state)) done(job)
  }
  // Subscribed before the job starts, so no change is missed; changes that come before its id is known wait.
  const off = studio.on('jobs.changed', (job) => (id === null ? early.push(job) : handle(job)))
  try {
    const started = await studio.call('export.canvas', params)
    id = started.id
    for (const job of [started, ...early]) handle(job)
    const job = await finished
    if (job.state !== 'done') throw job.error ? new StudioError(job.error.code, job.error.message) : new StudioError('cancelled', 'Cancelled.')
    return ExportedFile.parse(job.result)
  } finally {
    off()
  }
}

/** A run's sample grids over training as a video: a job whose result is an ExportedTimelapse. */
export function startTimelapseExport(params: ExportTimelapseParams): Promise<Job> {
  return studio.call('export.timelapse', params)
}

export function cancelExport(job: Job): Promise<Job> {
  return studio.call('jobs.cancel', { id: job.id })
}

export function saveArithmeticFigure(params: ExportArithmeticParams): Promise<ExportedFile> {
  return studio.call('export.arithmetic', params)
}

export function saveErasureFigure(params: ExportErasureParams): Promise<ExportedFile> {
  return studio.call('export.erasure', params)
}

/** A saved concept as JSON (its vector, kind and provenance), as `dcgan-studio export concept` writes it. */
export function exportConcept(params: z.input<typeof ExportConceptParams>): Promise<ExportedFile> {
  return studio.call('export.concept', params)
}

/** Where relative export paths land, to say so beside the path field. */
export async function exportsFolder(): Promise<string> {
  const { root } = await studio.call('library.info')
  return `${root.replace(/[\\/]+$/, '')}/exports`
}

/** The finished export a job describes (null until it is done). */
export function exportedWalkOf(job: Job | null): ExportedWalk | null {
  if (!job || job.state !== 'done') return null
  const parsed = ExportedWalk.safeParse(job.result)
  return parsed.success ? parsed.data : null
}

/** The finished timelapse a job describes (null until it is done). */
export function exportedTimelapseOf(job: Job | null): ExportedTimelapse | null {
  if (!job || job.state !== 'done') return null
  const parsed = ExportedTimelapse.safeParse(job.result)
  return parsed.success ? parsed.data : null
}

const VIDEO_EXTENSION = /\.(mp4|m4v|webm|gif)$/i

/** A path for another format: swaps a video extension, or turns a file name into a folder for PNG frames and back. */
export function pathForFormat(current: string, format: VideoFormat): string {
  const bare = current.replace(VIDEO_EXTENSION, '').replace(/-frames$/, '')
  return format === 'png' ? `${bare}-frames` : `${bare}.${format}`
}

/** A latent grid as a PNG figure, with its record. */
export function saveGridFigure(params: ExportGridParams): Promise<ExportedFile> {
  return studio.call('export.grid', params)
}

/** A latent grid swept row by row (snake order) as a video: a job, like a walk export. */
export function startGridVideoExport(params: ExportGridVideoParams): Promise<Job> {
  return studio.call('export.gridVideo', params)
}
