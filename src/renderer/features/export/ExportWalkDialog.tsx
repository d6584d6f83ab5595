import { useState } from 'react'
import type { ExportZSpec, Upscale, VideoFormat } from '../../../shared/api/export'
import type { RunCheckpointRef } from '../../../shared/api/explore'
import { clampInt } from '../../components/clamp-int'
import { EasingSelect } from '../../components/EasingSelect'
import type { Easing } from '../../../shared/latent/interpolate'
import { exportedWalkOf, pathForFormat, startWalkExport } from './export-actions'
import { FrameFields, VideoExportDialog, stampedName, useVideoExport } from './VideoExportDialog'

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
  const state = useVideoExport(stampedName(`walk-${walk.run.id}`, 'mp4'))
  const exported = exportedWalkOf(state.job)

  const changeFormat = (next: VideoFormat): void => {
    setFormat(next)
    state.setOut((current) => pathForFormat(current, next))
  }

  const start = (): Promise<void> =>
    state.start((destination) =>
      startWalkExport({
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
        ...destination
      })
    )

  const segments = loop ? walk.keyframes.length : walk.keyframes.length - 1
  const totalFrames = timing === 'frames' ? segments * frames + (loop ? 0 : 1) : Math.max(2, Math.round(seconds * fps))

  return (
    <VideoExportDialog
      title="Export walk"
      testId="export-dialog"
      prefix="export"
      state={state}
      folder={format === 'png'}
      canStart={walk.keyframes.length >= 2}
      onStart={() => void start()}
      onClose={onClose}
      result={
        exported && (
          <>
            Saved {exported.frames} frames ({exported.width}×{exported.height}) to <code>{exported.file}</code>
          </>
        )
      }
    >
      <p className="muted">
        {walk.keyframes.length} keyframes{loop ? ', closed loop (no frame repeats at the wrap)' : ''}. {totalFrames} frames, {(totalFrames / fps).toFixed(2)} s.
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
        <FrameFields prefix="export" fps={fps} onFps={setFps} size={size} onSize={setSize} upscale={upscale} onUpscale={setUpscale} />
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
            <input type="number" min={1} max={3600} value={frames} onChange={(e) => setFrames(clampInt(e.target.value, 1, 3600))} data-testid="export-frames" />
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
        <input type="checkbox" checked={loop} onChange={(e) => setLoop(e.target.checked)} data-testid="export-loop" /> closed loop (back to the first keyframe,
        seamless on repeat)
      </label>
    </VideoExportDialog>
  )
}
