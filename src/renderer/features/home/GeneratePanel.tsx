import { useCallback, useEffect, useRef, useState } from 'react'
import type { GenerateResult } from '../../../shared/api/explore'
import type { RunListing } from '../../../shared/api/runs'
import { studio } from '../../api/client'
import { useStudioData } from '../../api/hooks'
import { ImageGrid } from '../../components/ImageGrid'

const COUNTS = [16, 36, 64] as const
/** The untrained generator, for a library with no trained model yet (or to compare). */
const UNTRAINED = ''
/** On-screen width the grid is drawn at (then fitted to its card); whole multiples keep pixels square. */
const GRID_TARGET_PX = 520

/**
 * A first look at what a model draws: the demo's (or the newest trained run's) samples when the library has
 * one, else the paper's 64×64 generator untrained — a slice through every layer either way. Shortcuts: G
 * generates, N draws a new seed and generates.
 */
export function GeneratePanel({ demoRunId }: { demoRunId: string | null }) {
  const runs = useStudioData(() => studio.call('runs.list'), [])
  const trained = (runs.data ?? []).filter((r) => r.latestStep !== null)
  const [chosen, setChosen] = useState<string | null>(null)
  const modelId = chosen ?? defaultModel(trained, demoRunId)
  const model = trained.find((r) => r.record.id === modelId) ?? null
  const [count, setCount] = useState<number>(16)
  const [seed, setSeed] = useState(0)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<{ answer: GenerateResult; model: RunListing | null } | null>(null)
  // Latest request wins: a slow answer to an older request must not overwrite a newer one.
  const latest = useRef(0)

  const generate = useCallback(
    async (withSeed: number) => {
      const ticket = ++latest.current
      setBusy(true)
      setError(null)
      try {
        const answer = await studio.call('explore.generate', { count, seed: withSeed, ...(model ? { run: { id: model.record.id } } : {}) })
        if (ticket === latest.current) setResult({ answer, model })
      } catch (err) {
        if (ticket === latest.current) setError(err instanceof Error ? err.message : String(err))
      } finally {
        if (ticket === latest.current) setBusy(false)
      }
    },
    [count, model]
  )

  const newSeed = useCallback(() => {
    const next = Math.floor(Math.random() * 1_000_000)
    setSeed(next)
    void generate(next)
  }, [generate])

  // A trained model (the demo in a new library) shows its samples as soon as Home opens, once; the untrained
  // generator's noise only on request, so a newcomer's first look is what a model learned.
  const shownOnOpen = useRef(false)
  useEffect(() => {
    if (shownOnOpen.current || result !== null || model === null) return
    shownOnOpen.current = true
    void generate(seed)
  }, [generate, model, result, seed])

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
  const shown = result?.answer.samples ?? []
  const side = shown[0]?.image.width ?? 64
  const scale = Math.max(1, Math.round(GRID_TARGET_PX / (columns * side + (columns - 1) * 2)))
  return (
    <section className="card grow generate-panel" data-testid="generate-panel">
      <h2>Samples</h2>
      <p className="muted" data-testid="generate-source">
        {model
          ? `From ${model.record.id === demoRunId ? 'the demo model' : 'the run'} “${model.record.name}”: ${model.record.model.imageSize}×${model.record.model.imageSize}, checkpoint step ${model.latestStep}. The same seed always gives the same samples; Explore does much more with them.`
          : "The paper's generator at 64×64 (z: 100 dimensions, uniform in [−1, 1]), untrained — train a model to see it learn. The same seed always gives the same samples."}
      </p>
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault()
          void generate(seed)
        }}
      >
        {trained.length > 0 && (
          <label>
            Model
            <select value={modelId} onChange={(e) => setChosen(e.target.value)} data-testid="generate-model">
              {trained.map((r) => (
                <option key={r.record.id} value={r.record.id}>
                  {r.record.name} (step {r.latestStep})
                </option>
              ))}
              <option value={UNTRAINED}>untrained generator (paper's 64×64)</option>
            </select>
          </label>
        )}
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
        <button type="submit" disabled={busy || !runs.data} data-testid="generate-button" title="Generate (G)">
          {busy ? 'Generating…' : 'Generate'}
        </button>
        <button type="button" onClick={newSeed} disabled={busy || !runs.data} title="New seed and generate (N)">
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
          <ImageGrid images={shown.map((s) => s.image)} columns={columns} scale={scale} label={`${shown.length} generated samples`} />
          <p className="muted" data-testid="generate-info">
            {shown.length} samples{' '}
            {result.model ? `of ${result.model.record.name} at step ${result.answer.step ?? result.model.latestStep}` : 'of the untrained generator'} in{' '}
            {Math.round(result.answer.millis)} ms on {result.answer.backend}
          </p>
        </>
      )}
    </section>
  )
}

/** The model Home shows first: the demo when it is there, else the newest trained run, else none (untrained). */
function defaultModel(trained: RunListing[], demoRunId: string | null): string {
  if (demoRunId && trained.some((r) => r.record.id === demoRunId)) return demoRunId
  return trained[0]?.record.id ?? UNTRAINED
}
