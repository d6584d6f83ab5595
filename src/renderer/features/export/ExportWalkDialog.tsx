import { useEffect, useRef, useState } from 'react'
import type { ExportZSpec, Upscale, VideoFormat } from '../../../shared/api/export'
import type { RunCheckpointRef } from '../../../shared/api/explore'
import { isFinished } from '../../../shared/api/jobs'
import { errorText } from '../../api/hooks'
import { clampInt } from '../../components/clamp-int'
import { PathField } from '../../components/PathField'
import { JobProgress } from '../../components/ProgressBar'
import { cancelExport, exportedWalkOf, exportsFolder, pathForFormat, startWalkExport } from './export-actions'
import { useJob } from './useJob'
import './export.css'
import { EasingSelect } from '../../components/EasingSelect'

import type { Easing } from '../../../shared/latent/interpolate'

/** The walk as the Walk panel holds it. */
export interface WalkToExport {
  run: RunCheckpointRef
  keyframes: ExportZSpec[]
  loop: boolean
  easing: Easing
}

export const FORMATS: { value: VideoFormat; label: string }[] = [
  { value: 'mp4', label: 'MP4 (H.264) — plays everywhere' },
  { value: 'webm', label: 'WebM (VP9)' },
  { value: 'gif', label: 'GIF (optimised palette)' },
  { value: 'png', label: 'PNG frames (a folder)' }
]

/**
 * Export a walk as a video, GIF or PNG frames: format, frame rate, size and upscaling, frames per segment or a
 * total duration, and where to save it (a path on the machine running the studio — in web mode, the server).
 * The export runs as a job: a progress bar with its ETA and a cancel button; nothing is left behind on cancel.
 */
export function ExportWalkDialog({ walk, onClose }: { walk: WalkToExport; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [format, setFormat] = useState<VideoFormat>('mp4')
  const [mode, setMode] = useState<'lerp' | 'slerp'>('slerp')
  const [fps, setFps] = useState(30)
  const [size, setSize] = useState(512)
  const [upscale, setUpscale] = useState<Upscale>('nearest')
  const [timing, setTiming] = useState<'frames' | 'seconds'>('frames')
  const [frames, setFrames] = useState(30)
  const [seconds, setSeconds] = useState(4)
  const [loop, setLoop] = useState(walk.loop)
  const [easing, setEasing] = useState<Easing>(walk.easing)
  const [out, setOut] = useState(() => `walk-${walk.run.id}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.mp4`)
  const [overwrite, setOverwrite] = useState(false)
  const [folder, setFolder] = useState<string | null>(null)
  const [jobId, setJobId] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const job = useJob(jobId)
  const exported = exportedWalkOf(job)
  const running = starting || (job !== null && !isFinished(job.state))

  useEffect(() => {
    dialog.current?.showModal()
    exportsFolder().then(setFolder, () => setFolder(null))
  }, [])

  const changeFormat = (next: VideoFormat): void => {
    setFormat(next)
    setOut((current) => pathForFormat(current, next))
  }

  const start = async (): Promise<void> => {
    setError(null)
    setStarting(true)
    try {
      const started = await startWalkExport({
        run: walk.run,
        walks: [walk.keyframes],
        mode,
        loop,
        easing,
        timing: timing === 'frames' ? { kind: 'frames-per-segment', frames } : { kind: 'duration', seconds },
        fps,
        format,
        size,
        upscale,
        out,
        overwrite
      })
      setJobId(started.id)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setStarting(false)
    }
  }

  const segments = loop ? walk.keyframes.length : walk.keyframes.length - 1
  const totalFrames = timing === 'frames' ? segments * frames + (loop ? 0 : 1) : Math.max(2, Math.round(seconds * fps))

  return (
    <dialog ref={dialog} className="export-dialog" data-testid="export-dialog" onClose={onClose} aria-label="Export walk">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          void start()
        }}
      >
        <h2>Export walk</h2>
        <p className="muted">
          {walk.keyframes.length} keyframes{loop ? ', closed loop (no frame repeats at the wrap)' : ''}. {totalFrames} frames, {(totalFrames / fps).toFixed(2)}{' '}
          s.
        </p>
        <div className="grid-fields">
          <label className="span-2">
            Format
            <select value={format} onChange={(e) => changeFormat(e.target.value as VideoFormat)} data-testid="export-format">
              {FORMATS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Frames per second
            <input type="number" min={1} max={120} value={fps} onChange={(e) => setFps(clampInt(e.target.value, 1, 120))} data-testid="export-fps" />
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
              data-testid="export-size"
            />
          </label>
          <label>
            Upscaling
            <select value={upscale} onChange={(e) => setUpscale(e.target.value as Upscale)} data-testid="export-upscale">
              <option value="nearest">nearest (crisp pixels)</option>
              <option value="lanczos">lanczos (smooth)</option>
            </select>
          </label>
          <label>
            Interpolation
            <select value={mode} onChange={(e) => setMode(e.target.value as 'lerp' | 'slerp')}>
              <option value="slerp">spherical (slerp)</option>
              <option value="lerp">linear (lerp)</option>
            </select>
          </label>
          <EasingSelect value={easing} onChange={setEasing} />
          <label>
            Length
            <select value={timing} onChange={(e) => setTiming(e.target.value as 'frames' | 'seconds')} data-testid="export-timing">
              <option value="frames">frames per segment</option>
              <option value="seconds">total duration</option>
            </select>
          </label>
          {timing === 'frames' ? (
            <label>
              Frames per segment
              <input
                type="number"
                min={1}
                max={3600}
                value={frames}
                onChange={(e) => setFrames(clampInt(e.target.value, 1, 3600))}
                data-testid="export-frames"
              />
            </label>
          ) : (
            <label>
              Seconds
              <input
                type="number"
                min={0.1}
                max={3600}
                step={0.1}
                value={seconds}
                onChange={(e) => setSeconds(Math.max(0.1, Number(e.target.value) || 0.1))}
                data-testid="export-seconds"
              />
            </label>
          )}
        </div>
        <label className="check">
          <input type="checkbox" checked={loop} onChange={(e) => setLoop(e.target.checked)} data-testid="export-loop" /> closed loop (back to the first
          keyframe, seamless on repeat)
        </label>
        <PathField label={format === 'png' ? 'Folder for the frames' : 'Save as'} kind="save" value={out} onChange={setOut} testId="export-path" />
        <p className="muted small-print">
          A path on the machine running the studio{folder ? `; a relative one is saved under ${folder}` : ''}. A record of how it was made is written beside it
          ({format === 'png' ? 'export.json inside the folder' : 'the same name + .json'}).
        </p>
        <label className="check">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} data-testid="export-overwrite" /> replace it if it exists
        </label>
        {error && <p className="error">{error}</p>}
        {job && <JobProgress job={job} onCancel={() => void cancelExport(job)} />}
        {exported && (
          <p data-testid="export-result">
            Saved {exported.frames} frames ({exported.width}×{exported.height}) to <code>{exported.file}</code>
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            {exported ? 'Close' : running ? 'Hide' : 'Cancel'}
          </button>
          <button type="submit" disabled={running || walk.keyframes.length < 2} data-testid="export-start">
            {running ? 'Exporting…' : 'Export'}
          </button>
        </div>
      </form>
    </dialog>
  )
}
