import { useState } from 'react'
import type { ExportArithmeticParams, ExportedFile } from '../../../shared/api/export'
import { errorText } from '../../api/hooks'
import { saveArithmeticFigure } from './export-actions'
import './export.css'

type Arithmetic = Omit<ExportArithmeticParams, 'out' | 'scale' | 'overwrite'>

/**
 * "Save figure" for the arithmetic result: one PNG laid out like the paper's Fig. 7 (exemplars, their means,
 * the result in its noise fan, pixel-space arithmetic below), with a record of how it was made beside it.
 */
export function SaveFigureForm({ arithmetic }: { arithmetic: Arithmetic }) {
  const [out, setOut] = useState(() => `arithmetic-${arithmetic.run.id}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.png`)
  const [scale, setScale] = useState(4)
  const [overwrite, setOverwrite] = useState(false)
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState<ExportedFile | null>(null)
  const [error, setError] = useState<string | null>(null)

  const save = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    setSaved(null)
    try {
      setSaved(await saveArithmeticFigure({ ...arithmetic, out, scale, overwrite }))
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
        <button type="button" disabled={busy || !out.trim()} onClick={() => void save()} data-testid="save-figure">
          {busy ? 'Saving…' : 'Save figure'}
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {saved && (
        <p className="muted" data-testid="figure-saved">
          Saved {saved.width}×{saved.height} to <code>{saved.file}</code>
        </p>
      )}
    </div>
  )
}
