import { useEffect } from 'react'
import { useStudioData } from '../../api/hooks'
import type { ModelChoice } from '../explore/RunPicker'
import { listErasures } from './forget-actions'
import './forget.css'

/**
 * Part of the Explore screen's model picker: draw with a saved erasure of the run (or none). An erasure belongs
 * to the checkpoint it was fitted on, so choosing one moves the picker to that checkpoint; the badge says what
 * every sample, walk, arithmetic result and export on the screen is drawn without.
 */
export function ErasureSelect({ model, onChange }: { model: ModelChoice; onChange: (choice: ModelChoice) => void }) {
  const erasures = useStudioData(() => listErasures(model.id), [model.id])
  const chosen = erasures.data?.find((e) => e.id === model.erasure) ?? null

  // The chosen erasure was deleted (e.g. from the Experiments screen): draw without it rather than fail.
  useEffect(() => {
    if (erasures.data && model.erasure !== null && !chosen) onChange({ ...model, erasure: null })
  }, [erasures.data, model, chosen, onChange])

  if (!erasures.data || (erasures.data.length === 0 && model.erasure === null)) return null
  return (
    <>
      <label title="Draw without the feature maps of an erasure fitted on the Experiments screen (Forget to draw)">
        Erasure
        <select
          value={model.erasure ?? ''}
          onChange={(e) => {
            const record = erasures.data?.find((r) => r.id === e.target.value)
            onChange(record ? { ...model, erasure: record.id, step: record.step } : { ...model, erasure: null })
          }}
          data-testid="explore-erasure"
        >
          <option value="">none</option>
          {erasures.data.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name} ({e.erase.channels.length} maps, step {e.step})
            </option>
          ))}
        </select>
      </label>
      {chosen && (
        <span
          className="pill pill-erasure"
          data-testid="erasure-badge"
          title={`${chosen.erase.layer} maps ${chosen.erase.channels.join(', ')}; checkpoint step ${chosen.step}`}
        >
          drawing without: {chosen.name} ({chosen.erase.channels.length} maps)
        </span>
      )}
    </>
  )
}
