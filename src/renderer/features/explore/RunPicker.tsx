import { useEffect } from 'react'
import { studio } from '../../api/client'
import { useStudioData } from '../../api/hooks'
import { ErasureSelect } from '../forget/ErasureSelect'
import type { ModelChoice } from './model-ref'

export type { ModelChoice } from './model-ref'

/**
 * Which trained model to explore: a run with at least one checkpoint, and which checkpoint (latest by
 * default); with `erasures`, also a saved erasure to draw without.
 */
export function RunPicker({
  value,
  onChange,
  erasures = false
}: {
  value: ModelChoice | null
  onChange: (choice: ModelChoice | null) => void
  erasures?: boolean
}) {
  const runs = useStudioData(() => studio.call('runs.list'), [])
  const usable = (runs.data ?? []).filter((r) => r.latestStep !== null)
  const details = useStudioData(() => (value ? studio.call('runs.get', { id: value.id }) : Promise.resolve(null)), [value?.id])

  // The first run by default; also when the chosen run is gone (the choice outlives the screen, and the run
  // may have been deleted meanwhile).
  useEffect(() => {
    if (!runs.data || (value && usable.some((r) => r.record.id === value.id))) return
    const first = usable[0]
    if (first) onChange({ id: first.record.id, step: null, zDim: first.record.model.zDim, imageSize: first.record.model.imageSize, erasure: null })
    else if (value) onChange(null)
  }, [value, usable, onChange, runs.data])

  if (runs.data && usable.length === 0) return <p className="muted">No trained model yet: train a run (Train) until it has a checkpoint.</p>
  return (
    <div className="row">
      <label>
        Model
        <select
          value={value?.id ?? ''}
          onChange={(e) => {
            const run = usable.find((r) => r.record.id === e.target.value)
            onChange(run ? { id: run.record.id, step: null, zDim: run.record.model.zDim, imageSize: run.record.model.imageSize, erasure: null } : null)
          }}
          data-testid="explore-run"
        >
          {usable.map((r) => (
            <option key={r.record.id} value={r.record.id}>
              {r.record.name} (step {r.latestStep})
            </option>
          ))}
        </select>
      </label>
      <label>
        Checkpoint
        {/* An erasure's maps mean something only in the checkpoint it was fitted on: another checkpoint drops it. */}
        <select
          value={value?.step ?? 'latest'}
          onChange={(e) => value && onChange({ ...value, step: e.target.value === 'latest' ? null : Number(e.target.value), erasure: null })}
        >
          <option value="latest">latest</option>
          {[...(details.data?.checkpoints ?? [])].reverse().map((c) => (
            <option key={c.step} value={c.step}>
              step {c.step}
            </option>
          ))}
        </select>
      </label>
      {erasures && value && <ErasureSelect model={value} onChange={onChange} />}
    </div>
  )
}
