import { useState } from 'react'
import { studio } from '../../api/client'
import { copyText } from '../../api/clipboard'
import { errorText } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { useDialogs } from '../../components/dialogs'
import { type ModelChoice, runRef } from './model-ref'
import { type Sample, sampleKey, zFromText, zToText } from './selection'

interface SelectionTrayProps {
  model: ModelChoice
  selection: Sample[]
  pinned: Sample[]
  onRemove: (sample: Sample) => void
  onAdd: (sample: Sample) => void
  onPin: (sample: Sample) => void
  onClear: () => void
  targets: { label: string; testId: string; onUse(samples: Sample[]): void }[]
}

/** The samples in hand: each keeps its seed and z; copy a z out, paste one in, pin favourites, send them on. */
export function SelectionTray({ model, selection, pinned, onRemove, onAdd, onPin, onClear, targets }: SelectionTrayProps) {
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const dialogs = useDialogs()

  const copy = async (sample: Sample): Promise<void> => {
    const text = zToText(sample.z)
    const what = sample.seed === null ? 'the pasted sample' : `sample ${sample.index} of seed ${sample.seed}`
    setNotice((await copyText(text)) ? `Copied the z of ${what}.` : `The clipboard is not available here; copy the z of ${what} by hand: ${text}`)
  }
  const paste = async (): Promise<void> => {
    setError(null)
    try {
      const text = await dialogs.prompt({
        title: 'Paste a z vector',
        label: `A JSON array of ${model.zDim} numbers, as "Copy z" or a projection makes`,
        placeholder: '[0.12, -0.5, …]',
        multiline: true,
        confirmLabel: 'Add sample',
        validate: (value) => zProblem(value, model.zDim)
      })
      if (text === null) return
      const z = zFromText(text, model.zDim)
      const result = await studio.call('explore.render', { run: runRef(model), z: [{ kind: 'z', z }] })
      const image = result.samples[0]?.image
      if (image) onAdd({ key: sampleKey(null, 0, z), seed: null, index: 0, z, image })
    } catch (err) {
      setError(errorText(err))
    }
  }

  return (
    <section className="card" data-testid="selection-tray">
      <h2>
        Selected <span className="muted">{selection.length}</span>
      </h2>
      <div className="tiles row">
        {selection.map((s) => (
          <div key={s.key} className="tray-item">
            <ImageTile image={s.image} size={48} label={s.seed === null ? 'pasted z' : `seed ${s.seed} #${s.index}`} />
            <div className="row small-actions">
              <button type="button" className="small" title="Pin as favourite (kept with the run)" onClick={() => onPin(s)} data-testid="pin">
                {pinned.some((p) => p.key === s.key) ? '★' : '☆'}
              </button>
              <button type="button" className="small" title="Copy z" onClick={() => void copy(s)}>
                z
              </button>
              <button type="button" className="small" title="Remove" onClick={() => onRemove(s)}>
                ×
              </button>
            </div>
          </div>
        ))}
      </div>
      <div className="row">
        {targets.map((t) => (
          <button key={t.label} type="button" disabled={selection.length === 0} onClick={() => t.onUse(selection)} data-testid={t.testId}>
            {t.label}
          </button>
        ))}
        <button type="button" onClick={() => void paste()}>
          Paste z…
        </button>
        <button type="button" disabled={selection.length === 0} onClick={onClear}>
          Clear
        </button>
      </div>
      {pinned.length > 0 && (
        <>
          <h3>Favourites</h3>
          <div className="tiles row" data-testid="favourites" data-count={pinned.length}>
            {pinned.map((s) => (
              <ImageTile key={s.key} image={s.image} size={40} label={`favourite ${s.seed ?? 'z'}`} onClick={() => onAdd(s)} />
            ))}
          </div>
        </>
      )}
      {notice && <p className="muted">{notice}</p>}
      {error && <p className="error">{error}</p>}
    </section>
  )
}

/** What is wrong with a pasted z, in the words the tray uses (null: it is a z this model takes). */
function zProblem(text: string, zDim: number): string | null {
  if (!text.trim()) return `Paste a z vector first: a JSON array of ${zDim} numbers.`
  try {
    zFromText(text, zDim)
    return null
  } catch (err) {
    return errorText(err)
  }
}
