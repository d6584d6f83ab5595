import { useEffect, useMemo, useRef, useState } from 'react'
import type { ExportZSpec } from '../../../shared/api/export'
import type { RgbaImage } from '../../../shared/api/image'
import { errorText } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { type Sample, zSpecOf } from '../explore/selection'
import { saveErasureFigure } from '../export/export-actions'
import { SaveFigureForm } from '../export/SaveFigureForm'
import { renderSamples, seedSpecs } from './forget-actions'

/** Fresh samples shown beside the boxed ones: the erasure should generalise to samples it was not fitted on. */
const FRESH = 8
/** Boxed samples shown (the first ones): enough to judge, few enough to render at every change of N. */
const BOXED = 8
/** Quiet time after the last change of N before rendering: dragging the slider renders once, at the end. */
const DEBOUNCE_MS = 120

interface ComparisonProps {
  runId: string
  step: number
  layer: string
  channels: number[]
  boxed: Sample[]
}

/**
 * Originals beside the same z drawn without the dropped maps, for boxed samples and fresh ones. Changing the
 * maps re-renders the erased rows; only the newest request's answer is shown.
 */
export function ErasureComparison({ runId, step, layer, channels, boxed }: ComparisonProps) {
  const [freshSeed, setFreshSeed] = useState(1000)
  const [originals, setOriginals] = useState<RgbaImage[]>([])
  const [erased, setErased] = useState<{ images: RgbaImage[]; channels: string } | null>(null)
  const [rendering, setRendering] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const ticket = useRef(0)
  const shown = useMemo(() => boxed.slice(0, BOXED), [boxed])
  const specs = useMemo((): ExportZSpec[] => [...shown.map(zSpecOf), ...seedSpecs(freshSeed, 0, FRESH)], [shown, freshSeed])
  const channelsKey = channels.join(',')

  useEffect(() => {
    let live = true
    renderSamples({ id: runId, step, erasure: null }, specs).then(
      (r) => live && setOriginals(r.samples.map((s) => s.image)),
      (err: unknown) => live && setError(errorText(err))
    )
    return () => {
      live = false
    }
  }, [runId, step, specs])

  useEffect(() => {
    const mine = ++ticket.current
    setRendering(true)
    const timer = setTimeout(() => {
      const erasure = { layer, channels }
      renderSamples({ id: runId, step, erasure }, specs)
        .then((r) => {
          if (mine !== ticket.current) return
          setErased({ images: r.samples.map((s) => s.image), channels: channelsKey })
          setError(null)
        })
        .catch((err: unknown) => {
          if (mine === ticket.current) setError(errorText(err))
        })
        .finally(() => {
          if (mine === ticket.current) setRendering(false)
        })
    }, DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [runId, step, layer, channels, channelsKey, specs])

  const rows = (from: number, count: number, what: string) => (
    <div className="compare-rows" style={{ gridTemplateColumns: `max-content repeat(${count}, max-content)` }}>
      <span className="muted">original</span>
      {originals.slice(from, from + count).map((image, i) => (
        <ImageTile key={i} image={image} size={64} label={`${what} ${i + 1}, original`} />
      ))}
      <span className="muted">erased</span>
      {(erased?.images ?? []).slice(from, from + count).map((image, i) => (
        <ImageTile key={i} image={image} size={64} label={`${what} ${i + 1}, drawn without the dropped maps`} testId="forget-erased-image" />
      ))}
    </div>
  )

  return (
    <div className="erasure-comparison" data-testid="forget-compare" data-state={rendering ? 'rendering' : 'ready'} data-channels={erased?.channels ?? ''}>
      {error && <p className="error">{error}</p>}
      {shown.length > 0 && (
        <>
          <h3>Boxed samples (used in the fit){boxed.length > shown.length ? `, the first ${shown.length} of ${boxed.length}` : ''}</h3>
          {rows(0, shown.length, 'boxed sample')}
        </>
      )}
      <h3 className="row">
        Fresh samples (seed {freshSeed}, not used in the fit)
        <button type="button" className="small" onClick={() => setFreshSeed(Math.floor(Math.random() * 1_000_000))} data-testid="forget-fresh">
          Other samples
        </button>
        {rendering && <span className="muted">rendering…</span>}
      </h3>
      {rows(shown.length, FRESH, 'fresh sample')}
      <SaveFigureForm
        name={`erasure-${runId}`}
        save={(output) => saveErasureFigure({ run: { id: runId, step, erasure: { layer, channels } }, z: specs, ...output })}
      />
    </div>
  )
}
