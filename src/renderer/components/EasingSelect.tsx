import type { Easing } from '../../shared/latent/interpolate'

const EASINGS: { value: Easing; label: string }[] = [
  { value: 'linear', label: 'linear' },
  { value: 'ease-in-out', label: 'ease in-out' },
  { value: 'ease-in', label: 'ease in' },
  { value: 'ease-out', label: 'ease out' }
]

/** How a walk moves between keyframes; shared by the walk panel and the export dialog. */
export function EasingSelect({ value, onChange }: { value: Easing; onChange: (value: Easing) => void }) {
  return (
    <label>
      Easing
      <select value={value} onChange={(e) => onChange(e.target.value as Easing)}>
        {EASINGS.map((e) => (
          <option key={e.value} value={e.value}>
            {e.label}
          </option>
        ))}
      </select>
    </label>
  )
}
