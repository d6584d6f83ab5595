import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react'
import type { FaceProbabilitiesData } from '../../../shared/api/explore'
import { studio } from '../../api/client'
import { errorText, useStudioData } from '../../api/hooks'
import { ImagePreview } from '../../components/ImagePreview'
import { ImageTile } from '../../components/ImageTile'
import { type AttributeFilter, NO_FILTER, POSE_NAMES, SORTS, type SortKey, arrange, describeScores, isFiltered } from './attribute-filter'
import { useExploreState } from './explore-state'
import { type ModelChoice, runKey, runRef, useRunRef } from './model-ref'
import { type Sample, sampleKey } from './selection'

/** A drawn grid: which model drew it (runKey), its seed, its samples and, when the run has a classifier, their scores. */
interface Grid {
  drawnFor: string
  seed: number
  samples: Sample[]
  scores: FaceProbabilitiesData[] | null
}

/** Largest on-screen tile: twice a 32-px sample; bigger samples at their own size, up to 128 px. */
function tileMax(imageSize: number): number {
  return imageSize <= 32 ? 64 : Math.min(128, imageSize)
}

/**
 * A grid of samples named by a seed; click a sample to select it. The grid always fits its card (tiles shrink
 * with the card, up to twice a 32-px sample); hovering or focusing a tile shows it large with its seed. When
 * the run has a face-attribute classifier, samples can be filtered and sorted by what it sees in them.
 */
export function SamplesPanel({ model, selected, onToggle }: { model: ModelChoice; selected: Set<string>; onToggle: (sample: Sample) => void }) {
  const scope = model.id
  const [seed, setSeed] = useExploreState(scope, 'samples.seed', 0)
  const [count, setCount] = useExploreState(scope, 'samples.count', 16)
  const [grid, setGrid] = useExploreState<Grid | null>(scope, 'samples.grid', null)
  const [filter, setFilter] = useExploreState<AttributeFilter>(scope, 'samples.filter', NO_FILTER)
  const [sort, setSort] = useExploreState<SortKey>(scope, 'samples.sort', 'index')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [scoreError, setScoreError] = useState<string | null>(null)
  const [preview, setPreview] = useState<{ sample: Sample; position: number; anchor: HTMLElement } | null>(null)
  const gridRef = useRef<HTMLDivElement>(null)
  const classifier = useStudioData(() => studio.call('explore.classifier', { id: model.id }), [model.id])
  // Only the newest render fills the grid: an older answer (another seed or model) arriving late is dropped.
  const ticket = useRef(0)
  const run = useRunRef(runRef(model))
  const modelKey = runKey(run)

  const generate = useCallback(
    async (withSeed: number, howMany: number) => {
      const mine = ++ticket.current
      setBusy(true)
      setError(null)
      try {
        const z = Array.from({ length: howMany }, (_, index) => ({ kind: 'seed' as const, seed: withSeed, index }))
        const result = await studio.call('explore.render', { run, z })
        if (mine !== ticket.current) return
        const samples = result.samples.map((s, index) => ({ key: sampleKey(withSeed, index, s.z), seed: withSeed, index, z: s.z, image: s.image }))
        setGrid({ drawnFor: runKey(run), seed: withSeed, samples, scores: null })
      } catch (err) {
        if (mine === ticket.current) setError(errorText(err))
      } finally {
        if (mine === ticket.current) setBusy(false)
      }
    },
    [run, setGrid]
  )

  // Choosing another checkpoint or an erasure redraws the samples on screen, so the grid shows the chosen model;
  // a run opened here for the first time shows its samples straight away. Only the choice triggers it: a grid
  // that changes while the redraw is on its way (late scores) does not.
  const redrawFor = useEffectEvent((key: string) => {
    if (grid === null) void generate(seed, count)
    else if (grid.drawnFor !== key) void generate(grid.seed, grid.samples.length)
  })
  useEffect(() => {
    redrawFor(modelKey)
  }, [modelKey])

  // Scores follow the grid: asked once per drawn grid, kept only if that grid is still the one shown.
  const hasClassifier = classifier.data !== null
  const scoring = hasClassifier && grid !== null && grid.scores === null && grid.drawnFor === modelKey
  useEffect(() => {
    if (!scoring) return
    setScoreError(null)
    const z = grid.samples.map((s) => ({ kind: 'seed' as const, seed: grid.seed, index: s.index }))
    studio.call('explore.attributes', { run, z }).then(
      (result) => setGrid((current) => (current?.samples === grid.samples ? { ...current, scores: result.probabilities } : current)),
      (err: unknown) => setScoreError(`Could not score the samples by attribute: ${errorText(err)}`)
    )
  }, [scoring, grid, run, setGrid])

  const samples = grid?.samples ?? []
  const scores = grid?.scores ?? null
  const shown = arrange(samples.length, scores, filter, sort)
  const columns = Math.round(Math.sqrt(samples.length || count))
  const maxTile = tileMax(model.imageSize)
  const previewLines = (sample: Sample, position: number): string[] => {
    const p = scores?.[position]
    return [`sample ${sample.index} of seed ${sample.seed}${selected.has(sample.key) ? ' (selected)' : ''}`, ...(p ? [describeScores(p)] : [])]
  }

  return (
    <section className="card grow samples-panel" data-testid="samples-panel">
      <h2>Samples</h2>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault()
          void generate(seed, count)
        }}
      >
        <label>
          Seed
          <input
            type="number"
            min={0}
            value={seed}
            onChange={(e) => setSeed(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
            data-testid="explore-seed"
          />
        </label>
        <label>
          Samples
          <select value={count} onChange={(e) => setCount(Number(e.target.value))} data-testid="explore-count">
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
            void generate(next, count)
          }}
        >
          New seed
        </button>
      </form>
      {hasClassifier && samples.length > 0 && (
        <AttributeControls
          filter={filter}
          onFilter={setFilter}
          sort={sort}
          onSort={setSort}
          ready={scores !== null}
          shown={shown.length}
          total={samples.length}
          classifier={classifier.data?.id ?? ''}
        />
      )}
      {error && <p className="error">{error}</p>}
      {classifier.error && <p className="error">{classifier.error}</p>}
      {scoreError && <p className="error">{scoreError}</p>}
      <div
        ref={gridRef}
        className="sample-tiles"
        style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, maxWidth: columns * (maxTile + 4) + (columns - 1) * 3 }}
        data-testid="explore-samples"
        data-count={samples.length}
        data-shown={shown.length}
      >
        {shown.map((position) => {
          const s = samples[position] as Sample
          const p = scores?.[position]
          return (
            <div
              key={s.key}
              className="sample-cell"
              data-index={s.index}
              data-smiling={p?.smiling.toFixed(4)}
              data-masculine={p?.masculine.toFixed(4)}
              data-glasses={p?.glasses.toFixed(4)}
              onMouseEnter={(e) => setPreview({ sample: s, position, anchor: e.currentTarget })}
              onMouseLeave={() => setPreview(null)}
              onFocus={(e) => setPreview({ sample: s, position, anchor: e.currentTarget })}
              onBlur={() => setPreview(null)}
              onKeyDown={(e) => e.key === 'Escape' && setPreview(null)}
            >
              <ImageTile image={s.image} size="fill" selected={selected.has(s.key)} label={`sample ${s.index} of seed ${s.seed}`} onClick={() => onToggle(s)} />
            </div>
          )
        })}
      </div>
      {samples.length > 0 && shown.length === 0 && <p className="muted">No sample of this grid matches; loosen the filter or show more samples.</p>}
      {preview && preview.anchor.isConnected && (
        <ImagePreview
          image={preview.sample.image}
          anchor={preview.anchor}
          avoid={gridRef.current}
          lines={previewLines(preview.sample, preview.position)}
          testId="sample-preview"
        />
      )}
      {samples.length > 0 && (
        <p className="muted">
          Click samples to select them; selected samples can become walk keyframes or arithmetic exemplars. Point at one (or Tab to it) to see it large.
        </p>
      )}
    </section>
  )
}

const BINARY_CHIPS = [
  { attribute: 'smiling', yes: 'smiling', no: 'not smiling' },
  { attribute: 'masculine', yes: 'masculine', no: 'not masculine' },
  { attribute: 'glasses', yes: 'glasses', no: 'no glasses' }
] as const

interface AttributeControlsProps {
  filter: AttributeFilter
  onFilter: (filter: AttributeFilter) => void
  sort: SortKey
  onSort: (sort: SortKey) => void
  /** Scores have arrived for the grid shown. */
  ready: boolean
  shown: number
  total: number
  classifier: string
}

/** Filter chips (each attribute yes or no, the pose) and the sort menu, by the run's face-attribute classifier. */
function AttributeControls({ filter, onFilter, sort, onSort, ready, shown, total, classifier }: AttributeControlsProps) {
  const chip = (pressed: boolean, label: string, next: AttributeFilter) => (
    <button
      key={label}
      type="button"
      className={`chip${pressed ? ' on' : ''}`}
      aria-pressed={pressed}
      disabled={!ready}
      onClick={() => onFilter(pressed ? { ...filter, ...clear(label) } : next)}
      data-testid={`chip-${label.replace(/ /g, '-')}`}
    >
      {label}
    </button>
  )
  // Pressing a pressed chip clears its attribute.
  const clear = (label: string): Partial<AttributeFilter> => {
    const binary = BINARY_CHIPS.find((c) => c.yes === label || c.no === label)
    return binary ? { [binary.attribute]: 'any' } : { pose: 'any' }
  }
  return (
    <div className="attribute-controls" data-testid="attribute-controls">
      <div className="chips" role="group" aria-label="Filter by what the face classifier sees">
        {BINARY_CHIPS.map((c) => (
          <span key={c.attribute} className="chip-group">
            {chip(filter[c.attribute] === 'yes', c.yes, { ...filter, [c.attribute]: 'yes' })}
            {chip(filter[c.attribute] === 'no', c.no, { ...filter, [c.attribute]: 'no' })}
          </span>
        ))}
        <span className="chip-group">{POSE_NAMES.map((pose) => chip(filter.pose === pose, pose, { ...filter, pose }))}</span>
      </div>
      <div className="row">
        <label className="inline">
          Sort
          <select value={sort} onChange={(e) => onSort(e.target.value as SortKey)} disabled={!ready} data-testid="samples-sort">
            {Object.entries(SORTS).map(([key, label]) => (
              <option key={key} value={key}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" data-testid="attribute-count">
          {!ready
            ? `Scoring with the face classifier "${classifier}"…`
            : isFiltered(filter)
              ? `${shown} of ${total} samples match`
              : `scored by the face classifier "${classifier}"`}
        </span>
        {isFiltered(filter) && (
          <button type="button" className="link" onClick={() => onFilter(NO_FILTER)}>
            show all
          </button>
        )}
      </div>
    </div>
  )
}
