import { useState } from 'react'
import type { ExportZSpec, Upscale } from '../../../shared/api/export'
import type { RunCheckpointRef } from '../../../shared/api/explore'
import { clampInt } from '../../components/clamp-int'
import { exportedWalkOf, pathForFormat, startGridVideoExport } from './export-actions'
import { FORMATS } from './ExportWalkDialog'
import { FrameFields, VideoExportDialog, stampedName, useVideoExport } from './VideoExportDialog'

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
  const [format, setFormat] = useState<SweepFormat>('mp4')
  const [framesPerCell, setFramesPerCell] = useState(8)
  const [fps, setFps] = useState(30)
  const [size, setSize] = useState(512)
  const [upscale, setUpscale] = useState<Upscale>('nearest')
  const state = useVideoExport(stampedName(`grid-${grid.run.id}`, 'mp4'))
  const exported = exportedWalkOf(state.job)
  const frames = (grid.columns * grid.rows - 1) * framesPerCell + 1

  const start = (): Promise<void> => state.start((destination) => startGridVideoExport({ ...grid, framesPerCell, fps, format, size, upscale, ...destination }))

  return (
    <VideoExportDialog
      title="Export grid video"
      testId="grid-video-dialog"
      prefix="grid-video"
      state={state}
      canStart
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
              state.setOut((current) => pathForFormat(current, next))
            }}
            data-testid="grid-video-format"
          >
            {FORMATS.filter((f) => f.value !== 'png').map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
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
        <FrameFields prefix="grid-video" fps={fps} onFps={setFps} size={size} onSize={setSize} upscale={upscale} onUpscale={setUpscale} />
      </div>
    </VideoExportDialog>
  )
}
