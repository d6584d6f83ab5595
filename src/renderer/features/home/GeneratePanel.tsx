import { useCallback, useEffect, useRef, useState } from 'react'
import type { GenerateResult } from '../../../shared/api/explore'
import { studio } from '../../api/client'
import { ImageGrid } from '../../components/ImageGrid'

const COUNTS = [16, 36, 64] as const

/**
 * The first slice through every layer: asks the engine to build the paper's 64×64 generator (untrained) and
 * draws the raw pixels it returns. Shortcuts: G generates, N draws a new seed and generates.
 */
export function GeneratePanel() {
  const [count, setCount] = useState<number>(16)
  const [seed, setSeed] = useState(0)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<GenerateResult | null>(null)
  // Latest request wins: a slow answer to an older request must not overwrite a newer one.
  const latest = useRef(0)

  const generate = useCallback(
    async (withSeed: number) => {
      const ticket = ++latest.current
      setBusy(true)
      setError(null)
      try {
        const answer = await studio.call('explore.generate', { count, seed: withSeed })
        if (ticket === latest.current) setResult(answer)
      } catch (err) {
        if (ticket === latest.current) setError(err instanceof Error ? err.message : String(err))
      } finally {
        if (ticket === latest.current) setBusy(false)
      }
    },
    [count]
  )

  const newSeed = useCallback(() => {
    const next = Math.floor(Math.random() * 1_000_000)
    setSeed(next)
    void generate(next)
  }, [generate])

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return
      if (event.metaKey || event.ctrlKey || event.altKey) return
      if (event.key === 'g') void generate(seed)
      if (event.key === 'n') newSeed()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [generate, newSeed, seed])

  const columns = Math.round(Math.sqrt(count))
  return (
    <section className="card grow">
      <h2>Samples</h2>
      <p className="muted">
        The paper's generator at 64×64 (z: 100 dimensions, uniform in [−1, 1]), untrained — train a model to see
        it learn. The same seed always gives the same samples.
      </p>
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault()
          void generate(seed)
        }}
      >
        <label>
          Samples
          <select value={count} onChange={(e) => setCount(Number(e.target.value))} data-testid="generate-count">
            {COUNTS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Seed
          <input
            type="number"
            min={0}
            value={seed}
            onChange={(e) => setSeed(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
            data-testid="generate-seed"
          />
        </label>
        <button type="submit" disabled={busy} data-testid="generate-button" title="Generate (G)">
          {busy ? 'Generating…' : 'Generate'}
        </button>
        <button type="button" onClick={newSeed} disabled={busy} title="New seed and generate (N)">
          New seed
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <>
          <ImageGrid images={result.samples.map((s) => s.image)} columns={columns} scale={2} label={`${result.samples.length} generated samples`} />
          <p className="muted" data-testid="generate-info">
            {result.samples.length} samples in {Math.round(result.millis)} ms on {result.backend}
          </p>
        </>
      )}
    </section>
  )
}
