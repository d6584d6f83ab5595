import { type ReactNode, useEffect, useRef, useState } from 'react'
import type { Upscale } from '../../../shared/api/export'
import { type Job, isFinished } from '../../../shared/api/jobs'
import { errorText } from '../../api/hooks'
import { clampInt } from '../../components/clamp-int'
import { PathField } from '../../components/PathField'
import { JobProgress } from '../../components/ProgressBar'
import { cancelExport, exportsFolder } from './export-actions'
import { useJob } from './useJob'
import './export.css'

/** A file name that starts with `name`, stamped with the time, in the given extension. */
export function stampedName(name: string, extension: string): string {
  return `${name}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.${extension}`
}

/** What every video export dialog holds: where to save, whether to replace, and the export's job. */
export function useVideoExport(initialOut: string) {
  const [out, setOut] = useState(initialOut)
  const [overwrite, setOverwrite] = useState(false)
  const [jobId, setJobId] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const job = useJob(jobId)
  const running = starting || (job !== null && !isFinished(job.state))

  /** Starts the export (a job) with the current destination; a refusal (a bad path, an existing file) shows as the error. */
  const start = async (begin: (destination: { out: string; overwrite: boolean }) => Promise<Job>): Promise<void> => {
    setError(null)
    setStarting(true)
    try {
      setJobId((await begin({ out, overwrite })).id)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setStarting(false)
    }
  }
  return { out, setOut, overwrite, setOverwrite, job, running, error, start }
}
export type VideoExport = ReturnType<typeof useVideoExport>

interface VideoExportDialogProps {
  title: string
  /** Names the dialog and its controls for tests: `${testId}` and `${prefix}-path`, `-overwrite`, `-result`, `-start`. */
  testId: string
  prefix: string
  state: VideoExport
  /** The settings fields, above where to save. */
  children: ReactNode
  /** What the finished export wrote, once it is done. */
  result: ReactNode | null
  canStart: boolean
  onStart: () => void
  onClose: () => void
  /** A folder of PNG frames rather than one file (its record goes inside it). */
  folder?: boolean
}

/**
 * The frame every video export shares (walks, grid sweeps, training timelapses): a modal with the settings,
 * where to save it on the machine running the studio, the job's progress bar with its ETA and Cancel (nothing
 * is left behind), what was written, and Close/Hide. The export goes on while the dialog is hidden.
 */
export function VideoExportDialog({ title, testId, prefix, state, children, result, canStart, onStart, onClose, folder = false }: VideoExportDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [exportsDir, setExportsDir] = useState<string | null>(null)
  useEffect(() => {
    dialog.current?.showModal()
    exportsFolder().then(setExportsDir, () => setExportsDir(null))
  }, [])
  const { job, running } = state
  return (
    <dialog ref={dialog} className="export-dialog" data-testid={testId} onClose={onClose} aria-label={title}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          onStart()
        }}
      >
        <h2>{title}</h2>
        {children}
        <PathField label={folder ? 'Folder for the frames' : 'Save as'} kind="save" value={state.out} onChange={state.setOut} testId={`${prefix}-path`} />
        <p className="muted small-print">
          A path on the machine running the studio{exportsDir ? `; a relative one is saved under ${exportsDir}` : ''}. A record of how it was made is written
          beside it ({folder ? 'export.json inside the folder' : 'the same name + .json'}).
        </p>
        <label className="check">
          <input type="checkbox" checked={state.overwrite} onChange={(e) => state.setOverwrite(e.target.checked)} data-testid={`${prefix}-overwrite`} /> replace
          it if it exists
        </label>
        {state.error && <p className="error">{state.error}</p>}
        {job && <JobProgress job={job} onCancel={() => void cancelExport(job)} />}
        {result && <p data-testid={`${prefix}-result`}>{result}</p>}
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            {result ? 'Close' : running ? 'Hide' : 'Cancel'}
          </button>
          <button type="submit" disabled={running || !canStart} data-testid={`${prefix}-start`}>
            {running ? 'Exporting…' : 'Export'}
          </button>
        </div>
      </form>
    </dialog>
  )
}

/** Frame rate, size of each picture and how small images are enlarged — as walks and grid sweeps set them. */
export function FrameFields({
  prefix,
  fps,
  onFps,
  size,
  onSize,
  upscale,
  onUpscale
}: {
  prefix: string
  fps: number
  onFps: (fps: number) => void
  size: number
  onSize: (size: number) => void
  upscale: Upscale
  onUpscale: (upscale: Upscale) => void
}) {
  return (
    <>
      <label>
        Frames per second
        <input type="number" min={1} max={120} value={fps} onChange={(e) => onFps(clampInt(e.target.value, 1, 120))} data-testid={`${prefix}-fps`} />
      </label>
      <label>
        Size (px per side)
        <input
          type="number"
          min={8}
          max={4096}
          step={2}
          value={size}
          onChange={(e) => onSize(clampInt(e.target.value, 8, 4096))}
          data-testid={`${prefix}-size`}
        />
      </label>
      <label>
        Upscaling
        <select value={upscale} onChange={(e) => onUpscale(e.target.value as Upscale)} data-testid={`${prefix}-upscale`}>
          <option value="nearest">nearest (crisp pixels)</option>
          <option value="lanczos">lanczos (smooth)</option>
        </select>
      </label>
    </>
  )
}
