import { useEffect } from 'react'
import { studio } from '../../api/client'
import { useStudioData } from '../../api/hooks'

export interface ModelChoice {
  id: string
  step: number | null
  zDim: number
  imageSize: number
}

/** Which trained model to explore: a run with at least one checkpoint, and which checkpoint (latest by default). */
export function RunPicker({ value, onChange }: { value: ModelChoice | null; onChange(choice: ModelChoice | null): void }) {
  const runs = useStudioData(() => studio.call('runs.list'), [])
  const usable = (runs.data ?? []).filter((r) => r.latestStep !== null)
  const details = useStudioData(() => (value ? studio.call('runs.get', { id: value.id }) : Promise.resolve(null)), [value?.id])

  useEffect(() => {
    const first = usable[0]
    if (!value && first) onChange({ id: first.record.id, step: null, zDim: first.record.model.zDim, imageSize: first.record.model.imageSize })
  }, [value, usable, onChange])

  if (runs.data && usable.length === 0) return <p className="muted">No trained model yet: train a run (Train) until it has a checkpoint.</p>
  return (
    <div className="row">
      <label>
        Model
        <select
          value={value?.id ?? ''}
          onChange={(e) => {
            const run = usable.find((r) => r.record.id === e.target.value)
            onChange(run ? { id: run.record.id, step: null, zDim: run.record.model.zDim, imageSize: run.record.model.imageSize } : null)
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
        <select value={value?.step ?? 'latest'} onChange={(e) => value && onChange({ ...value, step: e.target.value === 'latest' ? null : Number(e.target.value) })}>
          <option value="latest">latest</option>
          {[...(details.data?.checkpoints ?? [])].reverse().map((c) => (
            <option key={c.step} value={c.step}>
              step {c.step}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}
