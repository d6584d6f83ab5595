import { useCallback, useEffect, useEffectEvent, useMemo, useRef, useState } from 'react'
import type { MapResult, RunCheckpointRef } from '../../../shared/api/explore'
import { studio } from '../../api/client'
import { errorText } from '../../api/hooks'
import { LatentMap } from '../../three/LatentMap'
import { walkPaths } from '../../three/point-cloud'
import { useExploreState } from './explore-state'
import { runKey, useRunRef } from './model-ref'
import { type Sample, sampleKey } from './selection'

export type MapProjection = 'd-features' | 'z'

export interface MapPanelProps {
  run: RunCheckpointRef
  onSelect: (sample: Sample) => void
  /** Walks to draw through the map, each its keyframes in order; keyframes not on this map are skipped. */
  walks?: Sample[][]
}

/** The largest and smallest maps the studio places (MapParams in the API contract). */
export const MAP_COUNT_RANGE = { min: 3, max: 1000 } as const

/**
 * Sample `index` of a map as a selectable Sample: named by the map's seed, with its own copy of its z (so
 * it does not keep the whole map's buffer alive) and the image given (the full-size render).
 */
export function mapSample(map: Pick<MapResult, 'seed' | 'z' | 'zDim'>, index: number, image: Sample['image']): Sample {
  const z = map.z.slice(index * map.zDim, (index + 1) * map.zDim)
  if (z.length !== map.zDim) throw new Error(`The map has no sample ${index}.`)
  return { key: sampleKey(map.seed, index, z), seed: map.seed, index, z, image }
}

/** A typed count into what the studio accepts: whole, within MAP_COUNT_RANGE (300 when not a number). */
export function clampMapCount(value: number): number {
  if (!Number.isFinite(value)) return 300
  return Math.min(MAP_COUNT_RANGE.max, Math.max(MAP_COUNT_RANGE.min, Math.round(value)))
}

/**
 * The latent map (paper: exploring the space the generator learned): a few hundred samples of one seed,
 * placed by a 3D projection of D's features of their images (similar-looking samples together) or of their
 * z vectors, each drawn as its thumbnail. Clicking one selects it, rendered at full size.
 */
export function MapPanel({ run: given, onSelect, walks }: MapPanelProps) {
  const run = useRunRef(given)
  const [count, setCount] = useExploreState(run.id, 'map.count', 300)
  const [seed, setSeed] = useExploreState(run.id, 'map.seed', 0)
  const [projection, setProjection] = useExploreState<MapProjection>(run.id, 'map.projection', 'd-features')
  // The placed map with the model it was placed for (runKey), kept while the screen is away.
  const [placed, setPlaced] = useExploreState<{ drawnFor: string; map: MapResult } | null>(run.id, 'map.placed', null)
  const [selected, setSelected] = useExploreState<number | null>(run.id, 'map.selected', null)
  const map = placed?.drawnFor === runKey(run) ? placed.map : null
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // Latest request wins: an answer to an older request (another seed, another click) is dropped. Placing a
  // new map also voids a selection still rendering for the old one.
  const placeTicket = useRef(0)
  const selectTicket = useRef(0)

  const place = useCallback(
    async (options: { count: number; seed: number; projection: MapProjection }) => {
      const mine = ++placeTicket.current
      selectTicket.current++
      setBusy(true)
      setError(null)
      try {
        const result = await studio.call('explore.map', { run, ...options })
        if (mine !== placeTicket.current) return
        setPlaced({ drawnFor: runKey(run), map: result })
        setSelected(null)
      } catch (err) {
        if (mine === placeTicket.current) setError(errorText(err))
      } finally {
        if (mine === placeTicket.current) setBusy(false)
      }
    },
    [run, setPlaced, setSelected]
  )

  // A new model (or checkpoint) gets a map of its own straight away, with the settings in the form; the map
  // already placed for this model is shown again as it was. Editing the form places nothing until it is submitted.
  const formOptions = useEffectEvent(() => ({ count: clampMapCount(count), seed, projection }))
  useEffect(() => {
    if (map) return
    setSelected(null)
    void place(formOptions())
  }, [map, place, setSelected])

  const select = useCallback(
    async (index: number) => {
      if (!map) return
      setSelected(index)
      const mine = ++selectTicket.current
      setError(null)
      try {
        // The map's thumbnails are small; whoever uses the selection (tray, walks, arithmetic) shows it large.
        const rendered = await studio.call('explore.render', { run, z: [{ kind: 'seed', seed: map.seed, index }] })
        const image = rendered.samples[0]?.image
        if (!image) throw new Error(`The studio rendered no image for sample ${index} of seed ${map.seed}.`)
        if (mine === selectTicket.current) onSelect(mapSample(map, index, image))
      } catch (err) {
        if (mine === selectTicket.current) setError(`Could not select sample ${index}: ${errorText(err)}`)
      }
    },
    [map, onSelect, run, setSelected]
  )

  // Stable, so the map's hidden list of sample buttons is not rebuilt on every render.
  const onMapSelect = useCallback((index: number) => void select(index), [select])
  const paths = useMemo(() => (map && walks ? walkPaths(walks, map.seed, map.thumbs.length) : []), [map, walks])

  return (
    <section className="card grow" data-testid="map-panel">
      <h2>Latent map</h2>
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault()
          const within = clampMapCount(count)
          setCount(within)
          void place({ count: within, seed, projection })
        }}
      >
        <label>
          Samples
          <input
            type="number"
            min={MAP_COUNT_RANGE.min}
            max={MAP_COUNT_RANGE.max}
            value={count}
            onChange={(e) => setCount(Number(e.target.value))}
            onBlur={() => setCount(clampMapCount(count))}
            data-testid="map-count"
          />
        </label>
        <label>
          Seed
          <input type="number" min={0} value={seed} onChange={(e) => setSeed(Math.max(0, Math.floor(Number(e.target.value) || 0)))} data-testid="map-seed" />
        </label>
        <label>
          Placed by
          <select value={projection} onChange={(e) => setProjection(e.target.value as MapProjection)} data-testid="map-projection">
            <option value="d-features">what D sees (its features)</option>
            <option value="z">the noise vectors z</option>
          </select>
        </label>
        <button type="submit" disabled={busy} data-testid="map-place">
          {busy ? 'Placing…' : 'Place samples'}
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {busy && <p className="muted">Rendering {clampMapCount(count)} samples and projecting them to 3D…</p>}
      {map && (
        <>
          <LatentMap points={map.points} thumbs={map.thumbs} selected={selected} onSelect={onMapSelect} paths={paths} />
          <p className="muted" data-testid="map-info">
            {map.thumbs.length} samples of seed {map.seed} at step {map.step}; the three axes explain {Math.round(map.explained * 100)}% of the variance. Drag
            to turn, wheel to zoom, click a sample to select it.
          </p>
        </>
      )}
    </section>
  )
}
