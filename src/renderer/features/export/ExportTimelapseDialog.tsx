import { useState } from 'react'
import type { ExportTimelapseParams } from '../../../shared/api/export'
import { clampInt } from '../../components/clamp-int'
import { exportedTimelapseOf, pathForFormat, startTimelapseExport } from './export-actions'
import { FORMATS } from './ExportWalkDialog'
import { VideoExportDialog, stampedName, useVideoExport } from './VideoExportDialog'

type TimelapseFormat = NonNullable<ExportTimelapseParams['format']>

const TIMELAPSE_FORMATS = FORMATS.filter((f): f is { value: TimelapseFormat; label: string } => f.value !== 'png')

/** What the run view knows of the run: its sample grids' steps, and whether it is training now. */
export interface TimelapseSource {
  runId: string
  runName: string
  steps: number[]
  training: boolean
}

/**
 * Export a run's fixed-noise sample grids over training as a video: format, frame rate, how long the last frame
 * stays, the loss strip, width, the range of steps, and where to save it. Runs as a job like a walk export
 * (progress, cancel, nothing left behind on cancel). A run still training exports the grids it has now.
 */
export function ExportTimelapseDialog({ source, onClose }: { source: TimelapseSource; onClose: () => void }) {
  const { steps } = source
  const [format, setFormat] = useState<TimelapseFormat>('mp4')
  const [fps, setFps] = useState(10)
  const [hold, setHold] = useState(2)
  const [losses, setLosses] = useState(true)
  const [size, setSize] = useState('')
  const [fromStep, setFromStep] = useState(steps[0] ?? 0)
  const [toStep, setToStep] = useState(steps[steps.length - 1] ?? 0)
  const state = useVideoExport(stampedName(`timelapse-${source.runId}`, 'mp4'))
  const exported = exportedTimelapseOf(state.job)

  const changeFormat = (next: TimelapseFormat): void => {
    setFormat(next)
    state.setOut((current) => pathForFormat(current, next))
  }

  const start = (): Promise<void> =>
    state.start((destination) =>
      startTimelapseExport({
        run: { id: source.runId },
        fromStep,
        toStep,
        fps,
        hold,
        losses,
        format,
        size: size.trim() === '' ? null : clampInt(size, 64, 4096),
        ...destination
      })
    )

  const grids = steps.filter((s) => s >= fromStep && s <= toStep).length
  const frames = grids + Math.round(hold * fps)

  return (
    <VideoExportDialog
      title="Export training timelapse"
      testId="timelapse-dialog"
      prefix="timelapse"
      state={state}
      canStart={grids > 0}
      onStart={() => void start()}
      onClose={onClose}
      result={
        exported && (
          <>
            Saved {exported.grids} grids as {exported.frames} frames ({exported.width}×{exported.height}) to <code>{exported.file}</code>
          </>
        )
      }
    >
      <p className="muted" data-testid="timelapse-summary">
        {source.runName}: {grids} sample grid{grids === 1 ? '' : 's'} (steps {fromStep.toLocaleString('en-US')}–{toStep.toLocaleString('en-US')}), one frame
        each, the last held {hold} s: {frames} frames, {(frames / fps).toFixed(1)} s.
        {source.training ? ' The run is training: the export takes the grids it has now.' : ''}
      </p>
      <div className="grid-fields">
        <label className="span-2">
          Format
          <select value={format} onChange={(e) => changeFormat(e.target.value as TimelapseFormat)} data-testid="timelapse-format">
            {TIMELAPSE_FORMATS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Frames per second
          <input type="number" min={1} max={60} value={fps} onChange={(e) => setFps(clampInt(e.target.value, 1, 60))} data-testid="timelapse-fps" />
        </label>
        <label>
          Hold the last frame (s)
          <input
            type="number"
            min={0}
            max={60}
            step={0.5}
            value={hold}
            onChange={(e) => setHold(Math.min(60, Math.max(0, Number(e.target.value) || 0)))}
            data-testid="timelapse-hold"
          />
        </label>
        <label>
          Width (px)
          <input
            type="number"
            min={64}
            max={4096}
            step={2}
            placeholder="auto (about 540)"
            value={size}
            onChange={(e) => setSize(e.target.value)}
            data-testid="timelapse-size"
          />
        </label>
        <fieldset className="timelapse-range">
          <legend>Steps</legend>
          <select value={fromStep} onChange={(e) => setFromStep(Number(e.target.value))} aria-label="From step" data-testid="timelapse-from">
            {steps
              .filter((s) => s <= toStep)
              .map((s) => (
                <option key={s} value={s}>
                  {s.toLocaleString('en-US')}
                </option>
              ))}
          </select>
          –
          <select value={toStep} onChange={(e) => setToStep(Number(e.target.value))} aria-label="To step" data-testid="timelapse-to">
            {steps
              .filter((s) => s >= fromStep)
              .map((s) => (
                <option key={s} value={s}>
                  {s.toLocaleString('en-US')}
                </option>
              ))}
          </select>
        </fieldset>
      </div>
      <label className="check">
        <input type="checkbox" checked={losses} onChange={(e) => setLosses(e.target.checked)} data-testid="timelapse-losses" /> loss strip under the grid (D and
        G losses, a cursor at each frame&apos;s step)
      </label>
    </VideoExportDialog>
  )
}
