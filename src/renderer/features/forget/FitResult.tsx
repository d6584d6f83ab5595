import { useMemo, useState } from 'react'
import type { BoxedSample, ErasureRecord, ForgetFitReport } from '../../../shared/api/forget'
import { errorText } from '../../api/hooks'
import type { Sample } from '../explore/selection'
import { defaultDrop } from './default-drop'
import { ErasureComparison } from './ErasureComparison'
import { saveErasure, topChannels } from './forget-actions'
import { MapWeights } from './MapWeights'

export interface Fit {
  report: ForgetFitReport
  runId: string
  /** The boxed samples it was fitted on, and how many boxes they had. */
  boxed: Sample[]
  boxes: number
  /** The samples and boxes sent to the fit (boxed and unboxed), kept with a saved erasure. */
  samples: BoxedSample[]
  /** Whether the boxes changed since (the fit then describes older boxes). */
  stale: boolean
}

/** What a fit found: the maps by weight, how many to drop, the effect side by side, and saving it. */
export function FitResult({ fit, saved: known, onSaved }: { fit: Fit; saved: readonly ErasureRecord[]; onSaved: (record: ErasureRecord) => void }) {
  const { report } = fit
  // Not the paper's rule on a small layer: where to start, and the one line that says why.
  const [start] = useState(() => defaultDrop(report, known, fit.runId))
  const [drop, setDrop] = useState(start.drop)
  const [name, setName] = useState('')
  const [saving, setSaving] = useState(false)
  const [saved, setSaved] = useState<ErasureRecord | null>(null)
  const [error, setError] = useState<string | null>(null)
  // One array per choice of maps: the comparison re-renders the erased samples when it changes, not when
  // the name is typed.
  const channels = useMemo(() => topChannels(report.maps, drop), [report.maps, drop])
  const [height, width, depth] = report.shape

  const save = async (): Promise<void> => {
    setSaving(true)
    setError(null)
    try {
      const record = await saveErasure({
        name,
        runId: fit.runId,
        step: report.step,
        erase: { layer: report.layer, channels },
        maps: report.maps,
        fittedFrom: { samples: fit.samples, settings: report.settings }
      })
      setSaved(record)
      onSaved(record)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setSaving(false)
    }
  }

  return (
    <div className="fit-result" data-testid="forget-result">
      <p data-testid="forget-summary">
        <b>{report.layer}</b> ({height}×{width}, {depth} maps) at checkpoint step {report.step}: {report.positives} locations inside the boxes against{' '}
        {report.negatives} outside; the regression tells them apart with <b data-testid="forget-accuracy">{(report.accuracy * 100).toFixed(1)}%</b> accuracy on
        its own examples. {report.dropped.length} maps have a positive weight.
      </p>
      {fit.stale && <p className="notice">The boxes changed since this fit: fit again to use them.</p>}
      <MapWeights layer={report.layer} maps={report.maps} drop={drop} paperCount={report.dropped.length} onDrop={setDrop} />
      <p className="muted small-print" data-testid="forget-drop-why">
        {start.why}
      </p>
      <ErasureComparison runId={fit.runId} step={report.step} layer={report.layer} channels={channels} boxed={fit.boxed} />
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        <label>
          Name of the erasure
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. glasses" maxLength={200} data-testid="forget-save-name" />
        </label>
        <button
          type="submit"
          disabled={saving || !name.trim() || channels.length === 0}
          data-testid="forget-save"
          title={channels.length === 0 ? 'Drop at least one map first' : 'Save it to use on the Explore screen and in exports'}
        >
          {saving ? 'Saving…' : `Save erasure (${channels.length} maps)`}
        </button>
      </form>
      {error && <p className="error">{error}</p>}
      {saved && (
        <p className="muted" data-testid="forget-saved">
          Saved “{saved.name}”. On the Explore screen, choose it under Erasure to draw samples, walks, arithmetic and exports without these maps.
        </p>
      )}
    </div>
  )
}
