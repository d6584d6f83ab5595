import { type ReactNode, useState } from 'react'
import type { ExportedFile } from '../../../shared/api/export'
import { errorText } from '../../api/hooks'
import './export.css'

/** Where and how large a figure is written; the figure itself is the caller's. */
export interface FigureOutput {
  out: string
  scale: number
  overwrite: boolean
}

/**
 * "Save figure": one PNG of what a panel shows (the arithmetic as the paper's Fig. 7, an erasure's originals
 * over its erased samples as Fig. 6), with a record of how it was made beside it. `name` starts the file name;
 * `progress` is shown while saving (a job's progress bar, for a figure that takes a while).
 */
export function SaveFigureForm({ name, save, progress }: { name: string; save: (output: FigureOutput) => Promise<ExportedFile>; progress?: ReactNode }) {
  const [out, setOut] = useState(() => `${name}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.png`)
  const [scale, setScale] = useState(4)
  const [overwrite, setOverwrite] = useState(false)
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState<ExportedFile | null>(null)
  const [error, setError] = useState<string | null>(null)

  const submit = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    setSaved(null)
    try {
      setSaved(await save({ out, scale, overwrite }))
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div>
      <div className="save-figure">
        <label>
          Figure file (on the machine running the studio; relative: the library's exports folder)
          <input type="text" value={out} onChange={(e) => setOut(e.target.value)} spellCheck={false} data-testid="figure-path" />
        </label>
        <label>
          Scale
          <input type="number" min={1} max={64} value={scale} onChange={(e) => setScale(Math.min(64, Math.max(1, Math.floor(Number(e.target.value) || 1))))} />
        </label>
        <label className="check">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> replace
        </label>
        <button type="button" disabled={busy || !out.trim()} onClick={() => void submit()} data-testid="save-figure">
          {busy ? 'Saving…' : 'Save figure'}
        </button>
      </div>
      {busy && progress}
      {error && <p className="error">{error}</p>}
      {saved && (
        <p className="muted" data-testid="figure-saved">
          Saved {saved.width}×{saved.height} to <code>{saved.file}</code>
        </p>
      )}
    </div>
  )
}
