import { Suspense, lazy, useCallback, useEffect, useState } from 'react'
import { ArithmeticPanel, type SlotName } from './ArithmeticPanel'
import { ConceptsPanel } from './ConceptsPanel'
import { FeaturesPanel } from './FeaturesPanel'
import { errorText } from '../../api/hooks'
import { loadFavourites, saveFavourites } from './favourites'
import { type ModelChoice, runRef } from './model-ref'
import { RunPicker } from './RunPicker'
import { SamplesPanel } from './SamplesPanel'
import { SelectionTray } from './SelectionTray'
import type { Sample } from './selection'
import { WalkPanel } from './WalkPanel'
import type { ExploreTab } from '../tour/Tour'

// The 3D views pull in three.js (most of the bundle); load them when their tab is first opened.
const MapPanel = lazy(() => import('./MapPanel').then((m) => ({ default: m.MapPanel })))
const LayerStackPanel = lazy(() => import('./LayerStackPanel').then((m) => ({ default: m.LayerStackPanel })))

const TABS = [
  { id: 'walk', label: 'Samples & walks' },
  { id: 'arithmetic', label: 'Arithmetic & concepts' },
  { id: 'features', label: 'Features' },
  { id: 'map', label: 'Latent map' },
  { id: 'stack', label: 'Layer stack' }
] as const
type TabId = ExploreTab

/** Exploring a trained model: samples and selection, walks, arithmetic and concepts, features, 3D views. */
export function ExploreScreen({ tab, onTab }: { tab: TabId; onTab: (tab: TabId) => void }) {
  const [model, setModel] = useState<ModelChoice | null>(null)
  const setTab = onTab
  const [selection, setSelection] = useState<Sample[]>([])
  const [pinned, setPinned] = useState<Sample[]>([])
  const [keyframes, setKeyframes] = useState<Sample[]>([])
  const [slots, setSlots] = useState<Record<SlotName, Sample[]>>({ a: [], b: [], c: [] })
  const [conceptVersion, setConceptVersion] = useState(0)

  const [favouritesError, setFavouritesError] = useState<string | null>(null)

  useEffect(() => {
    setSelection([])
    setKeyframes([])
    setSlots({ a: [], b: [], c: [] })
  }, [model?.id])

  // Favourites are drawn with the chosen checkpoint and erasure, so they are redrawn when those change (a
  // new choice is a new object: the picker makes one for each).
  useEffect(() => {
    setPinned([])
    setFavouritesError(null)
    if (!model) return
    let current = true
    loadFavourites(model).then(
      (samples) => current && setPinned(samples),
      (err: unknown) => current && setFavouritesError(`Could not load the favourites: ${errorText(err)}`)
    )
    return () => {
      current = false
    }
  }, [model])

  const toggle = useCallback((sample: Sample) => {
    setSelection((current) => (current.some((s) => s.key === sample.key) ? current.filter((s) => s.key !== sample.key) : [...current, sample]))
  }, [])
  const add = useCallback((sample: Sample) => setSelection((current) => (current.some((s) => s.key === sample.key) ? current : [...current, sample])), [])
  const pin = (sample: Sample): void => {
    if (!model) return
    const next = pinned.some((p) => p.key === sample.key) ? pinned.filter((p) => p.key !== sample.key) : [...pinned, sample]
    setPinned(next)
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
                <ArithmeticPanel model={model} slots={slots} onClearSlot={(slot) => setSlots((s) => ({ ...s, [slot]: [] }))} onConceptSaved={() => setConceptVersion((v) => v + 1)} />
                <ConceptsPanel model={model} sample={focus} version={conceptVersion} />
              </>
            )}
            {tab === 'features' && <FeaturesPanel model={model} sample={focus} />}
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
