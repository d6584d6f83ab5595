import { useEffect, useRef, useState } from 'react'
import type { ExportZSpec, Upscale } from '../../../shared/api/export'
import type { RunCheckpointRef } from '../../../shared/api/explore'
import { isFinished } from '../../../shared/api/jobs'
import { errorText } from '../../api/hooks'
import { clampInt } from '../../components/clamp-int'
import { PathField } from '../../components/PathField'
import { JobProgress } from '../../components/ProgressBar'
import { cancelExport, exportedWalkOf, exportsFolder, pathForFormat, startGridVideoExport } from './export-actions'
import { useJob } from './useJob'
import './export.css'

/** The grid as the Latent grid panel holds it. */
export interface GridToExport {
  run: RunCheckpointRef
  corners: ExportZSpec[]
  columns: number
  rows: number
  mode: 'lerp' | 'slerp'
}

type SweepFormat = 'mp4' | 'webm' | 'gif'

/**
 * Export a latent grid as a video that sweeps it row by row in snake order (a walk through its cells, lerp
 * from one to the next): format, frames per cell, frame rate, size, and where to save it. It runs as a job
 * like a walk export: progress with its ETA, cancel, nothing left behind on cancel, a record beside it.
 */
export function ExportGridVideoDialog({ grid, onClose }: { grid: GridToExport; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [format, setFormat] = useState<SweepFormat>('mp4')
  const [framesPerCell, setFramesPerCell] = useState(8)
  const [fps, setFps] = useState(30)
  const [size, setSize] = useState(512)
  const [upscale, setUpscale] = useState<Upscale>('nearest')
  const [out, setOut] = useState(() => `grid-${grid.run.id}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.mp4`)
  const [overwrite, setOverwrite] = useState(false)
  const [folder, setFolder] = useState<string | null>(null)
  const [jobId, setJobId] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const job = useJob(jobId)
  const exported = exportedWalkOf(job)
  const running = starting || (job !== null && !isFinished(job.state))
  const frames = (grid.columns * grid.rows - 1) * framesPerCell + 1

  useEffect(() => {
    dialog.current?.showModal()
    exportsFolder().then(setFolder, () => setFolder(null))
  }, [])

  const start = async (): Promise<void> => {
    setError(null)
    setStarting(true)
    try {
      const started = await startGridVideoExport({ ...grid, framesPerCell, fps, format, size, upscale, out, overwrite })
      setJobId(started.id)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setStarting(false)
    }
  }

  return (
    <dialog ref={dialog} className="export-dialog" data-testid="grid-video-dialog" onClose={onClose} aria-label="Export grid video">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          void start()
        }}
      >
        <h2>Export grid video</h2>
        <p className="muted">
          One picture sweeps the {grid.columns}×{grid.rows} grid row by row — left to right, then right to left — moving linearly from cell to cell. {frames}{' '}
          frames, {(frames / fps).toFixed(2)} s.
        </p>
        <div className="grid-fields">
          <label className="span-2">
            Format
            <select
              value={format}
              onChange={(e) => {
                const next = e.target.value as SweepFormat
                setFormat(next)
                setOut((current) => pathForFormat(current, next))
              }}
              data-testid="grid-video-format"
            >
              <option value="mp4">MP4 (H.264) — plays everywhere</option>
              <option value="webm">WebM (VP9)</option>
              <option value="gif">GIF (optimised palette)</option>
            </select>
          </label>
          <label>
            Frames per cell
            <input
              type="number"
              min={1}
              max={600}
              value={framesPerCell}
              onChange={(e) => setFramesPerCell(clampInt(e.target.value, 1, 600))}
              data-testid="grid-video-frames"
            />
          </label>
          <label>
            Frames per second
            <input type="number" min={1} max={120} value={fps} onChange={(e) => setFps(clampInt(e.target.value, 1, 120))} data-testid="grid-video-fps" />
          </label>
          <label>
            Size (px per side)
            <input
              type="number"
              min={8}
              max={4096}
              step={2}
              value={size}
              onChange={(e) => setSize(clampInt(e.target.value, 8, 4096))}
              data-testid="grid-video-size"
            />
          </label>
          <label>
            Upscaling
            <select value={upscale} onChange={(e) => setUpscale(e.target.value as Upscale)}>
              <option value="nearest">nearest (crisp pixels)</option>
              <option value="lanczos">lanczos (smooth)</option>
            </select>
          </label>
        </div>
        <PathField label="Save as" kind="save" value={out} onChange={setOut} testId="grid-video-path" />
        <p className="muted small-print">
          A path on the machine running the studio{folder ? `; a relative one is saved under ${folder}` : ''}. A record of how it was made is written beside it
          (the same name + .json).
        </p>
        <label className="check">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> replace it if it exists
        </label>
        {error && <p className="error">{error}</p>}
        {job && <JobProgress job={job} onCancel={() => void cancelExport(job)} />}
        {exported && (
          <p data-testid="grid-video-result">
            Saved {exported.frames} frames ({exported.width}×{exported.height}) to <code>{exported.file}</code>
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            {exported ? 'Close' : running ? 'Hide' : 'Cancel'}
          </button>
          <button type="submit" disabled={running} data-testid="grid-video-start">
            {running ? 'Exporting…' : 'Export'}
          </button>
        </div>
      </form>
    </dialog>
  )
}
