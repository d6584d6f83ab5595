import { useCallback, useEffect, useRef, useState } from 'react'
import { studio } from '../../api/client'
import { errorText } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { type ModelChoice, runRef, useRunRef } from './model-ref'
import { type Sample, sampleKey } from './selection'

/** A grid of samples named by a seed; click a sample to select it. */
export function SamplesPanel({ model, selected, onToggle }: { model: ModelChoice; selected: Set<string>; onToggle: (sample: Sample) => void }) {
  const [seed, setSeed] = useState(0)
  const [count, setCount] = useState(16)
  const [samples, setSamples] = useState<Sample[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // Only the newest render fills the grid: an older answer (another seed or model) arriving late is dropped.
  const ticket = useRef(0)
  const run = useRunRef(runRef(model))

  const generate = useCallback(
    async (withSeed: number) => {
      const mine = ++ticket.current
      setBusy(true)
      setError(null)
      try {
        const z = Array.from({ length: count }, (_, index) => ({ kind: 'seed' as const, seed: withSeed, index }))
        const result = await studio.call('explore.render', { run, z })
        if (mine !== ticket.current) return
        setSamples(result.samples.map((s, index) => ({ key: sampleKey(withSeed, index, s.z), seed: withSeed, index, z: s.z, image: s.image })))
      } catch (err) {
        setError(errorText(err))
      } finally {
        setBusy(false)
      }
    },
    [count, run]
  )

  // Choosing another checkpoint or an erasure redraws the samples on screen, so the grid shows the chosen model.
  const drawnFor = useRef(run)
  const shownSeed = samples[0]?.seed ?? null
  useEffect(() => {
    if (drawnFor.current === run) return
    drawnFor.current = run
    if (shownSeed !== null) void generate(shownSeed)
  }, [run, shownSeed, generate])

  return (
    <section className="card grow">
      <h2>Samples</h2>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault()
          void generate(seed)
        }}
      >
        <label>
          Seed
          <input type="number" min={0} value={seed} onChange={(e) => setSeed(Math.max(0, Math.floor(Number(e.target.value) || 0)))} data-testid="explore-seed" />
        </label>
        <label>
          Samples
          <select value={count} onChange={(e) => setCount(Number(e.target.value))}>
            {[16, 36, 64].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy} data-testid="explore-generate">
          {busy ? 'Rendering…' : 'Show samples'}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            const next = Math.floor(Math.random() * 1_000_000)
            setSeed(next)
            void generate(next)
          }}
        >
          New seed
        </button>
      </form>
      {error && <p className="error">{error}</p>}
      <div className="tiles" style={{ gridTemplateColumns: `repeat(${Math.round(Math.sqrt(count))}, max-content)` }} data-testid="explore-samples">
        {samples.map((s) => (
          <ImageTile key={s.key} image={s.image} size={model.imageSize <= 32 ? 64 : s.image.width} selected={selected.has(s.key)} label={`sample ${s.index} of seed ${s.seed}`} onClick={() => onToggle(s)} />
        ))}
      </div>
      {samples.length > 0 && <p className="muted">Click samples to select them; selected samples can become walk keyframes or arithmetic exemplars.</p>}
    </section>
  )
}
