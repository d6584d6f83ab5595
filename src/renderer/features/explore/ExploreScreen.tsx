import { Suspense, lazy, useCallback, useEffect } from 'react'
import { ArithmeticPanel, type SlotName } from './ArithmeticPanel'
import { CanvasPanel } from './CanvasPanel'
import { ConceptsPanel } from './ConceptsPanel'
import { DirectionsPanel } from './DirectionsPanel'
import { FeaturesPanel } from './FeaturesPanel'
import { GridPanel } from './GridPanel'
import { errorText } from '../../api/hooks'
import { SCREEN_SCOPE, useExploreState } from './explore-state'
import { loadFavourites, saveFavourites } from './favourites'
import { type ModelChoice, runKey, runRef } from './model-ref'
import { RunPicker } from './RunPicker'
import { SamplesPanel } from './SamplesPanel'
import { SelectionTray } from './SelectionTray'
import type { Sample } from './selection'
import { WalkPanel } from './WalkPanel'
import type { ExploreTab } from '../tour/Tour'
import './explore.css'

// The 3D views pull in three.js (most of the bundle); load them when their tab is first opened.
const MapPanel = lazy(() => import('./MapPanel').then((m) => ({ default: m.MapPanel })))
const LayerStackPanel = lazy(() => import('./LayerStackPanel').then((m) => ({ default: m.LayerStackPanel })))

const TABS = [
  { id: 'walk', label: 'Samples & walks' },
  { id: 'arithmetic', label: 'Arithmetic & concepts' },
  { id: 'directions', label: 'Directions' },
  { id: 'grid', label: 'Latent grid' },
  { id: 'features', label: 'Features' },
  { id: 'map', label: 'Latent map' },
  { id: 'stack', label: 'Layer stack' },
  { id: 'canvas', label: 'Big canvas' }
] as const
type TabId = ExploreTab

/** Exploring a trained model: samples and selection, walks, arithmetic and concepts, features, 3D views. */
export function ExploreScreen({ tab, onTab }: { tab: TabId; onTab: (tab: TabId) => void }) {
  // Everything here outlives the screen (explore-state.ts): per run, except the run choice itself.
  const [model, setModel] = useExploreState<ModelChoice | null>(SCREEN_SCOPE, 'model', null)
  const setTab = onTab
  const scope = model?.id ?? SCREEN_SCOPE
  const [selection, setSelection] = useExploreState<Sample[]>(scope, 'selection', [])
  const [favourites, setFavourites] = useExploreState<{ modelKey: string; samples: Sample[] } | null>(scope, 'favourites', null)
  const [keyframes, setKeyframes] = useExploreState<Sample[]>(scope, 'keyframes', [])
  const [corners, setCorners] = useExploreState<Sample[]>(scope, 'gridCorners', [])
  const [slots, setSlots] = useExploreState<Record<SlotName, Sample[]>>(scope, 'slots', { a: [], b: [], c: [] })
  const [conceptVersion, setConceptVersion] = useExploreState(scope, 'conceptVersion', 0)
  const [favouritesError, setFavouritesError] = useExploreState<string | null>(scope, 'favouritesError', null)

  // Favourites are drawn with the chosen checkpoint and erasure, so they are redrawn when those change (and
  // not when the screen is merely shown again: the ones kept are for the model chosen).
  const modelKey = model ? runKey(runRef(model)) : null
  const pinned = favourites?.samples ?? []
  const favouritesFor = favourites?.modelKey
  useEffect(() => {
    if (!model || !modelKey || favouritesFor === modelKey) return
    setFavouritesError(null)
    let current = true
    loadFavourites(model).then(
      (samples) => current && setFavourites({ modelKey, samples }),
      (err: unknown) => current && setFavouritesError(`Could not load the favourites: ${errorText(err)}`)
    )
    return () => {
      current = false
    }
  }, [model, modelKey, favouritesFor, setFavourites, setFavouritesError])

  const toggle = useCallback(
    (sample: Sample) => {
      setSelection((current) => (current.some((s) => s.key === sample.key) ? current.filter((s) => s.key !== sample.key) : [...current, sample]))
    },
    [setSelection]
  )
  const add = useCallback(
    (sample: Sample) => setSelection((current) => (current.some((s) => s.key === sample.key) ? current : [...current, sample])),
    [setSelection]
  )
  const pin = (sample: Sample): void => {
    if (!model || !modelKey) return
    const next = pinned.some((p) => p.key === sample.key) ? pinned.filter((p) => p.key !== sample.key) : [...pinned, sample]
    setFavourites({ modelKey, samples: next })
    saveFavourites(model.id, next).then(
      () => setFavouritesError(null),
      (err: unknown) => setFavouritesError(`Could not save the favourites: ${errorText(err)}`)
    )
  }
  const toSlot = (slot: SlotName) => (samples: Sample[]) => {
    setSlots((s) => ({ ...s, [slot]: [...s[slot], ...samples] }))
    setSelection([])
  }

  const selected = new Set(selection.map((s) => s.key))
  const focus = selection[selection.length - 1] ?? null
  return (
    <div className="screen explore">
      <div className="row">
        <RunPicker value={model} onChange={setModel} erasures />
        <nav className="subnav">
          {TABS.map((t) => (
            <button key={t.id} type="button" className={tab === t.id ? 'on' : ''} onClick={() => setTab(t.id)} data-testid={`explore-tab-${t.id}`}>
              {t.label}
            </button>
          ))}
        </nav>
      </div>
      {model && (
        <div className="two-columns">
          <div className="column">
            <SelectionTray
              model={model}
              selection={selection}
              pinned={pinned}
              onRemove={toggle}
              onAdd={add}
              onPin={pin}
              onClear={() => setSelection([])}
              targets={[
                { label: 'Use as walk keyframes', testId: 'use-keyframes', onUse: (s) => setKeyframes((k) => [...k, ...s]) },
                { label: 'Use as grid corners', testId: 'use-grid-corners', onUse: (s) => setCorners(s.slice(0, 4)) },
                { label: 'Add to A', testId: 'add-a', onUse: toSlot('a') },
                { label: 'Add to B', testId: 'add-b', onUse: toSlot('b') },
                { label: 'Add to C', testId: 'add-c', onUse: toSlot('c') }
              ]}
            />
            {favouritesError && <p className="error">{favouritesError}</p>}
            <SamplesPanel model={model} selected={selected} onToggle={toggle} />
          </div>
          <div className="column wide">
            {tab === 'walk' && <WalkPanel model={model} keyframes={keyframes} onClearKeyframes={() => setKeyframes([])} />}
            {tab === 'arithmetic' && (
              <>
                <ArithmeticPanel
                  model={model}
                  slots={slots}
                  onClearSlot={(slot) => setSlots((s) => ({ ...s, [slot]: [] }))}
                  onConceptSaved={() => setConceptVersion((v) => v + 1)}
                />
                <ConceptsPanel model={model} sample={focus} version={conceptVersion} />
              </>
            )}
            {tab === 'directions' && <DirectionsPanel model={model} sample={focus} onConceptSaved={() => setConceptVersion((v) => v + 1)} />}
            {tab === 'grid' && <GridPanel model={model} corners={corners} onClearCorners={() => setCorners([])} onSelect={add} />}
            {tab === 'features' && <FeaturesPanel model={model} sample={focus} />}
            {tab === 'canvas' && <CanvasPanel model={model} />}
            <Suspense fallback={<p className="muted">Loading the 3D view…</p>}>
              {tab === 'map' && <MapPanel run={runRef(model)} onSelect={add} walks={keyframes.length > 1 ? [keyframes] : []} />}
              {tab === 'stack' && <LayerStackPanel run={runRef(model)} sample={focus} />}
            </Suspense>
          </div>
        </div>
      )}
    </div>
  )
}
