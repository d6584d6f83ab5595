export interface FitOptions {
  /** null: the second-highest conv layer, as in the paper. */
  layer: string | null
  negatives: 'random' | 'matched'
  /**
   * Whether the unboxed samples on the page join the fit as samples without the object (negatives only);
   * null follows the negatives choice — matched needs such samples, the paper's random does not use them.
   */
  unboxedAsNegatives: boolean | null
  negativesPerPositive: number
  weightDecay: number
  iterations: number
}

export const PAPER_FIT_OPTIONS: FitOptions = {
  layer: null,
  negatives: 'random',
  unboxedAsNegatives: null,
  negativesPerPositive: 1,
  weightDecay: 1e-3,
  iterations: 400
}

export function usesUnboxed(options: FitOptions): boolean {
  return options.unboxedAsNegatives ?? options.negatives === 'matched'
}

const MATCHED_HINT =
  'Matched: the boxes’ own places on the unboxed samples, so the fit learns what sets the object apart from what is drawn there without it. ' +
  'Suits objects that always sit in one place, like glasses on faces. Random (the paper’s): random places outside the boxes.'

interface FitFormProps {
  options: FitOptions
  onChange: (options: FitOptions) => void
  /** Layers the last fit offered (the default last); empty before the first fit. */
  layers: string[]
  boxes: number
  unboxed: number
  busy: boolean
  onFit: () => void
}

/** The fit's choices, the paper's by default, and the Fit button. */
export function FitForm({ options, onChange, layers, boxes, unboxed, busy, onFit }: FitFormProps) {
  const set = (change: Partial<FitOptions>): void => onChange({ ...options, ...change })
  const last = layers[layers.length - 1]

  return (
    <form
      className="toolbar"
      onSubmit={(e) => {
        e.preventDefault()
        onFit()
      }}
      data-testid="forget-fit-form"
    >
      <label title="The G layer whose activations the regression reads; the paper uses the second-highest conv layer.">
        Layer
        <select value={options.layer ?? ''} onChange={(e) => set({ layer: e.target.value || null })} data-testid="forget-layer">
          <option value="">second-highest conv (paper)</option>
          {layers.map((name) => (
            <option key={name} value={name}>
              {name}
              {name === last ? ' (the default)' : ''}
            </option>
          ))}
        </select>
      </label>
      <label title={MATCHED_HINT}>
        Negatives
        <select value={options.negatives} onChange={(e) => set({ negatives: e.target.value as 'random' | 'matched' })} data-testid="forget-negatives">
          <option value="random">random places (paper)</option>
          <option value="matched">matched places (objects in one spot, e.g. glasses)</option>
        </select>
      </label>
      <label className="check" title="Unboxed samples on the page count as samples without the object: they give negatives only. Matched negatives need them.">
        <input type="checkbox" checked={usesUnboxed(options)} onChange={(e) => set({ unboxedAsNegatives: e.target.checked })} data-testid="forget-unboxed" />{' '}
        unboxed samples ({unboxed}) as “no object”
      </label>
      <details className="more-options">
        <summary>More</summary>
        <label>
          Negatives per positive
          <input
            type="number"
            min={0.1}
            max={20}
            step={0.1}
            value={options.negativesPerPositive}
            onChange={(e) => set({ negativesPerPositive: clamp(Number(e.target.value), 0.1, 20, 1) })}
          />
        </label>
        <label title="L2 penalty of the logistic regression, on standardised activations">
          Weight decay
          <input
            type="number"
            min={0.000001}
            max={10}
            step="any"
            value={options.weightDecay}
            onChange={(e) => set({ weightDecay: clamp(Number(e.target.value), 1e-6, 10, 1e-3) })}
          />
        </label>
        <label>
          Iterations
          <input
            type="number"
            min={10}
            max={5000}
            value={options.iterations}
            onChange={(e) => set({ iterations: Math.round(clamp(Number(e.target.value), 10, 5000, 400)) })}
          />
        </label>
      </details>
      <button
        type="submit"
        disabled={busy || boxes === 0}
        data-testid="forget-fit"
        title={boxes === 0 ? 'Draw at least one box around the object first' : 'Fit which maps draw the boxed object'}
      >
        {busy ? 'Fitting…' : `Fit on ${boxes} box${boxes === 1 ? '' : 'es'}`}
      </button>
    </form>
  )
}

function clamp(v: number, min: number, max: number, fallback: number): number {
  return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback
}
