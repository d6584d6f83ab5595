import { useState } from 'react'
import { type ArithmeticResult, SaveConceptParams } from '../../../shared/api/explore'
import { studio } from '../../api/client'
import { valueProblem } from '../../api/field-errors'
import { errorText } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { useDialogs } from '../../components/dialogs'
import { saveArithmeticFigure } from '../export/export-actions'
import { SaveFigureForm } from '../export/SaveFigureForm'
import { type ModelChoice, runRef } from './model-ref'
import { type Sample, zSpecOf } from './selection'
import { useExploreState } from './explore-state'

export type SlotName = 'a' | 'b' | 'c'
const SLOT_LABELS: Record<SlotName, string> = { a: 'A', b: '− B', c: '+ C' }

/**
 * Vector arithmetic (paper Fig. 7): A − B + C on the mean z of each slot's exemplars (the paper used 3),
 * the result with 8 neighbours from ±noise, and the same arithmetic on pixels beside it for contrast.
 */
export function ArithmeticPanel({
  model,
  slots,
  onClearSlot,
  onConceptSaved
}: {
  model: ModelChoice
  slots: Record<SlotName, Sample[]>
  onClearSlot: (slot: SlotName) => void
  onConceptSaved: () => void
}) {
  const [noise, setNoise] = useExploreState(model.id, 'arithmetic.noise', 0.25)
  const [result, setResult] = useExploreState<ArithmeticResult | null>(model.id, 'arithmetic.result', null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const dialogs = useDialogs()
  const ready = slots.a.length > 0 && slots.b.length > 0 && slots.c.length > 0

  const compute = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      setResult(
        await studio.call('explore.arithmetic', {
          run: runRef(model),
          a: slots.a.map(zSpecOf),
          b: slots.b.map(zSpecOf),
          c: slots.c.map(zSpecOf),
          noise,
          neighbours: 8,
          seed: 0
        })
      )
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  const save = async (kind: 'point' | 'direction'): Promise<void> => {
    if (!result) return
    const answer = await dialogs.prompt(
      kind === 'point'
        ? {
            title: 'Save the result as a concept',
            label: 'Name of the concept',
            placeholder: 'e.g. smiling man',
            confirmLabel: 'Save concept',
            validate: nameProblem
          }
        : {
            title: 'Save A − B as a direction',
            label: 'Name of the direction',
            placeholder: 'e.g. smile',
            confirmLabel: 'Save direction',
            validate: nameProblem
          }
    )
    if (answer === null) return
    const name = answer.trim()
    const a = result.a.mean
    const vector = kind === 'point' ? result.result.z : a.map((v, i) => v - (result.b.mean[i] as number))
    const exemplars = { a: slots.a.map(describe), b: slots.b.map(describe), c: slots.c.map(describe) }
    try {
      await studio.call('concepts.save', {
        name,
        kind,
        runId: model.id,
        vector,
        provenance: { operation: kind === 'point' ? 'mean(A) − mean(B) + mean(C)' : 'mean(A) − mean(B)', details: { checkpoint: result.step, exemplars } }
      })
      setNotice(`Saved "${name}".`)
      onConceptSaved()
    } catch (err) {
      setError(errorText(err))
    }
  }

  const grid = result ? [...result.neighbours.slice(0, 4).map((n) => n.image), result.result.image, ...result.neighbours.slice(4).map((n) => n.image)] : []
  return (
    <section className="card grow" data-testid="arithmetic-panel">
      <h2>Vector arithmetic</h2>
      <div className="slots">
        {(['a', 'b', 'c'] as const).map((slot) => (
          <div key={slot} className="slot" data-testid={`slot-${slot}`} data-count={slots[slot].length}>
            <b>{SLOT_LABELS[slot]}</b>
            <div className="tiles row">
              {slots[slot].map((s, i) => (
                <ImageTile key={`${s.key}-${i}`} image={s.image} size={40} label={`${SLOT_LABELS[slot]} exemplar ${i + 1}`} />
              ))}
              {slots[slot].length === 0 && <span className="muted">empty</span>}
            </div>
            {slots[slot].length > 0 && (
              <button type="button" className="small" onClick={() => onClearSlot(slot)}>
                clear
              </button>
            )}
          </div>
        ))}
      </div>
      <div className="toolbar">
        <label>
          Neighbour noise ±
          <input type="number" min={0} max={2} step={0.05} value={noise} onChange={(e) => setNoise(Number(e.target.value))} />
        </label>
        <button type="button" disabled={!ready || busy} onClick={() => void compute()} data-testid="arithmetic-run">
          {busy ? 'Computing…' : 'Compute A − B + C'}
        </button>
      </div>
      {!ready && <p className="muted">Fill each slot with exemplars (the paper averages three): select samples, then "Add to A/B/C".</p>}
      {error && <p className="error">{error}</p>}
      {result && (
        <div className="arithmetic-result">
          <div>
            <h3>Means in z</h3>
            <div className="tiles row">
              <ImageTile image={result.a.meanImage} size={64} label="mean A" />
              <span className="op">−</span>
              <ImageTile image={result.b.meanImage} size={64} label="mean B" />
              <span className="op">+</span>
              <ImageTile image={result.c.meanImage} size={64} label="mean C" />
            </div>
          </div>
          <div>
            <h3>Result and its neighbours (±{noise})</h3>
            <div className="tiles" style={{ gridTemplateColumns: 'repeat(3, max-content)' }} data-testid="arithmetic-grid">
              {grid.map((image, i) => (
                <ImageTile key={i} image={image} size={64} label={i === 4 ? 'result' : `neighbour ${i < 4 ? i + 1 : i}`} selected={i === 4} />
              ))}
            </div>
          </div>
          <div>
            <h3>The same in pixel space</h3>
            <div className="tiles row">
              <ImageTile image={result.a.pixelMean} size={48} label="pixel mean A" />
              <span className="op">−</span>
              <ImageTile image={result.b.pixelMean} size={48} label="pixel mean B" />
              <span className="op">+</span>
              <ImageTile image={result.c.pixelMean} size={48} label="pixel mean C" />
              <span className="op">=</span>
              <ImageTile image={result.pixelResult} size={64} label="pixel result" />
            </div>
          </div>
          <div className="row">
            <button type="button" onClick={() => void save('point')}>
              Save result as concept…
            </button>
            <button type="button" onClick={() => void save('direction')}>
              Save A − B as direction…
            </button>
          </div>
          {notice && <p className="muted">{notice}</p>}
          <SaveFigureForm
            name={`arithmetic-${model.id}`}
            save={(output) =>
              saveArithmeticFigure({
                run: runRef(model),
                a: slots.a.map(zSpecOf),
                b: slots.b.map(zSpecOf),
                c: slots.c.map(zSpecOf),
                noise,
                neighbours: 8,
                seed: 0,
                ...output
              })
            }
          />
        </div>
      )}
    </section>
  )
}

function describe(sample: Sample): unknown {
  return sample.seed === null ? { z: Array.from(sample.z) } : { seed: sample.seed, index: sample.index }
}

/** The studio's own rule for a concept's name (SaveConceptParams), checked before the dialog closes. */
function nameProblem(value: string): string | null {
  return valueProblem(SaveConceptParams.shape.name, value)
}
