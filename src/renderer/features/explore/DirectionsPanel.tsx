import { useEffect, useMemo, useRef, useState } from 'react'
import {
  DEFAULT_DIRECTION_COUNT,
  DEFAULT_DIRECTION_LAYER,
  DEFAULT_DIRECTION_SAMPLES,
  DirectionsReport,
  DirectionsSettings,
  directionLayers
} from '../../../shared/api/directions'
import { describeZodError } from '../../../shared/api/errors'
import type { RgbaImage } from '../../../shared/api/image'
import { isFinished } from '../../../shared/api/jobs'
import { studio } from '../../api/client'
import { errorText } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { NumberInput } from '../../components/NumberInput'
import { JobProgress } from '../../components/ProgressBar'
import { SaveFigureForm } from '../export/SaveFigureForm'
import { useJob } from '../export/useJob'
import { useExploreState } from './explore-state'
import { type ModelChoice, runRef, useRunRef } from './model-ref'
import { type Sample, zSpecOf } from './selection'

/** The strip's strengths, in σ: −3σ … +3σ. */
const STRIP = [-3, -2, -1, 0, 1, 2, 3]
/** The most z vectors one render request takes (RenderParams). */
const RENDER_LIMIT = 256

const DEFAULTS: DirectionsSettings = { layer: DEFAULT_DIRECTION_LAYER, samples: DEFAULT_DIRECTION_SAMPLES, top: DEFAULT_DIRECTION_COUNT, seed: 0 }

/**
 * Directions found without labels (GANSpace): settings and a job to find them (kept in the run's folder, so
 * they are found again at once), then a slider per component on the selected sample — all sliders together
 * make one picture, rendered while dragging (the newest position wins) — a strip from −3σ to +3σ per
 * component (click a picture to set its slider there), and a name and "Save as concept" per component.
 */
export function DirectionsPanel({ model, sample, onConceptSaved }: { model: ModelChoice; sample: Sample | null; onConceptSaved: () => void }) {
  const scope = model.id
  const [settings, setSettings] = useExploreState<DirectionsSettings>(scope, 'directions.settings', DEFAULTS)
  const [report, setReport] = useExploreState<DirectionsReport | null>(scope, 'directions.report', null)
  const [offsets, setOffsets] = useExploreState<number[]>(scope, 'directions.offsets', [])
  const [names, setNames] = useExploreState<Record<number, string>>(scope, 'directions.names', {})
  const [jobId, setJobId] = useState<string | null>(null)
  const job = useJob(jobId)
  const [looking, setLooking] = useState(false)
  const [preview, setPreview] = useState<RgbaImage | null>(null)
  const [strips, setStrips] = useState<RgbaImage[][]>([])
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const run = useRunRef(runRef(model))
  const layers = directionLayers(model)
  const running = job !== null && !isFinished(job.state)
  const ticket = useRef(0)
  const components = useMemo(() => report?.components ?? [], [report])

  // A half-typed number is not asked about: the panel says what is wrong instead, and Find waits.
  const checked = DirectionsSettings.safeParse(settings)
  const invalid = checked.success ? null : describeZodError(checked.error, 'settings')

  // Directions found before for these settings come back at once; otherwise the panel offers to find them.
  useEffect(() => {
    if (!DirectionsSettings.safeParse(settings).success) {
      setReport(null)
      return
    }
    let live = true
    setLooking(true)
    studio
      .call('directions.find', { run, ...settings })
      .then((found) => {
        if (!live) return
        setReport(found)
        setError(null)
      })
      .catch((err: unknown) => live && setError(errorText(err)))
      .finally(() => live && setLooking(false))
    return () => {
      live = false
    }
  }, [run, settings, setReport])

  useEffect(() => {
    if (job?.state !== 'done') return
    const parsed = DirectionsReport.safeParse(job.result)
    if (parsed.success) {
      setReport(parsed.data)
      setOffsets([])
    }
  }, [job, setReport, setOffsets])

  const find = async (): Promise<void> => {
    setError(null)
    setNotice(null)
    try {
      setJobId((await studio.call('directions.start', { run, ...settings })).id)
    } catch (err) {
      setError(errorText(err))
    }
  }

  // The sample moved by every slider at once: z + Σ sᵢ·(1σ of component i).
  const moved = useMemo(() => {
    if (!sample) return null
    const z = new Float32Array(sample.z)
    components.forEach((c, i) => {
      const s = offsets[i] ?? 0
      if (s !== 0) for (let d = 0; d < z.length; d++) z[d] = z[d]! + s * c.vector[d]!
    })
    return z
  }, [sample, components, offsets])

  useEffect(() => {
    if (!moved || components.length === 0) return
    const mine = ++ticket.current
    studio
      .call('explore.render', { run, z: [{ kind: 'z', z: moved }], channel: 'directions-preview' })
      .then((r) => mine === ticket.current && r.samples[0] && setPreview(r.samples[0].image))
      .catch((err: unknown) => (err as { code?: string }).code !== 'superseded' && setError(errorText(err)))
  }, [moved, components.length, run])

  // One strip per component around the selected sample (not around the slider position: strips compare).
  useEffect(() => {
    if (!sample || components.length === 0) {
      setStrips([])
      return
    }
    let live = true
    const vectors = components.flatMap((c) => STRIP.map((s) => sample.z.map((v, d) => v + s * c.vector[d]!)))
    const batches = Array.from({ length: Math.ceil(vectors.length / RENDER_LIMIT) }, (_, b) => vectors.slice(b * RENDER_LIMIT, (b + 1) * RENDER_LIMIT))
    Promise.all(batches.map((batch) => studio.call('explore.render', { run, z: batch.map((z) => ({ kind: 'z' as const, z })) })))
      .then((results) => {
        if (!live) return
        const images = results.flatMap((r) => r.samples.map((s) => s.image))
        setStrips(components.map((_, i) => images.slice(i * STRIP.length, (i + 1) * STRIP.length)))
      })
      .catch((err: unknown) => live && setError(errorText(err)))
    return () => {
      live = false
    }
  }, [sample, components, run])

  const setOffset = (i: number, value: number): void =>
    setOffsets((current) => {
      const next = components.map((_, j) => current[j] ?? 0)
      next[i] = value
      return next
    })

  const nameOf = (i: number): string => names[i] ?? `Direction ${i + 1} (${report?.layer ?? ''})`

  const save = async (i: number): Promise<void> => {
    const component = components[i]
    if (!component || !report) return
    setError(null)
    setNotice(null)
    try {
      const saved = await studio.call('concepts.save', {
        name: nameOf(i).trim(),
        kind: 'direction',
        runId: model.id,
        vector: new Float32Array(component.vector),
        provenance: {
          operation: 'directions',
          details: { ...report.settings, component: i + 1, checkpointStep: report.run.checkpointStep, explained: component.explained, unit: '1σ' }
        }
      })
      setNotice(`Saved "${saved.name}" as a concept (strength 1 = 1σ): use it under Arithmetic & concepts, in sweeps and exports.`)
      onConceptSaved()
    } catch (err) {
      setError(errorText(err))
    }
  }

  const total = components.reduce((sum, c) => sum + c.explained, 0)
  return (
    <section className="card grow" data-testid="directions-panel">
      <h2>Directions</h2>
      <p className="muted">
        Directions found without labels (GANSpace): the principal components of an early layer of G over many samples, carried back to z. Each slider moves the
        selected sample along one, in standard deviations (σ).
      </p>
      <div className="toolbar">
        <label>
          Layer
          <select value={settings.layer} onChange={(e) => setSettings({ ...settings, layer: e.target.value })} data-testid="directions-layer">
            {layers.map((layer) => (
              <option key={layer} value={layer}>
                {layer}
              </option>
            ))}
          </select>
        </label>
        <NumberInput
          label="Samples"
          value={settings.samples}
          min={100}
          max={100_000}
          step={1000}
          onChange={(samples) => setSettings({ ...settings, samples })}
          testId="directions-samples"
        />
        <NumberInput label="Components" value={settings.top} min={1} max={64} onChange={(top) => setSettings({ ...settings, top })} testId="directions-top" />
        <NumberInput label="Seed" value={settings.seed} min={0} onChange={(seed) => setSettings({ ...settings, seed })} testId="directions-seed" />
        {!report && (
          <button type="button" disabled={running || looking || invalid !== null} onClick={() => void find()} data-testid="directions-find">
            Find directions
          </button>
        )}
      </div>
      {invalid && <p className="error">{invalid}</p>}
      {job && running && <JobProgress job={job} onCancel={() => void studio.call('jobs.cancel', { id: job.id })} />}
      {job && job.state === 'failed' && <p className="error">{job.error?.message ?? job.message}</p>}
      {!report && !running && !looking && !invalid && (
        <p className="muted">Not found yet for these settings on this checkpoint: about a minute on a CPU for 10,000 samples.</p>
      )}
      {report && (
        <p className="muted" data-testid="directions-summary">
          {components.length} components of {report.layer} ({report.layerShape.join('×')}) at checkpoint {report.run.checkpointStep}, from{' '}
          {report.settings.samples.toLocaleString('en')} samples: {(100 * total).toFixed(1)}% of its variance ({(report.millis / 1000).toFixed(1)} s on{' '}
          {report.backend}). Kept in the run&apos;s folder: change the settings (the seed, say) to find others.
        </p>
      )}
      {report && !sample && <p className="muted">Select a sample to move it along the directions.</p>}
      {report && sample && (
        <>
          <div className="tiles row directions-preview">
            <ImageTile image={sample.image} size={96} label="selected sample" testId="directions-original" />
            <span className="op">→</span>
            {preview && <ImageTile image={preview} size={96} label="moved along the directions" testId="directions-moved" />}
            <button type="button" disabled={offsets.every((s) => s === 0)} onClick={() => setOffsets([])} data-testid="directions-reset">
              Reset sliders
            </button>
          </div>
          <ol className="directions" data-testid="directions-list">
            {components.map((c, i) => (
              <li key={i} data-testid="direction">
                <div className="toolbar">
                  <input
                    type="text"
                    className="direction-name"
                    value={nameOf(i)}
                    onChange={(e) => setNames((n) => ({ ...n, [i]: e.target.value }))}
                    aria-label={`Name of direction ${i + 1}`}
                    data-testid="direction-name"
                  />
                  <span className="muted" title="share of the layer's variance along this component">
                    {(100 * c.explained).toFixed(1)}%
                  </span>
                  <label className="direction-slider">
                    <input
                      type="range"
                      min={-3}
                      max={3}
                      step={0.1}
                      value={offsets[i] ?? 0}
                      onChange={(e) => setOffset(i, Number(e.target.value))}
                      aria-label={`Move along direction ${i + 1}, in σ`}
                      data-testid="direction-slider"
                    />
                    <span className="direction-value">{(offsets[i] ?? 0).toFixed(1)}σ</span>
                  </label>
                  <button type="button" className="small" disabled={!nameOf(i).trim()} onClick={() => void save(i)} data-testid="direction-save">
                    Save as concept
                  </button>
                </div>
                {strips[i] && (
                  <div className="tiles strip" data-testid="direction-strip" data-frames={strips[i].length}>
                    {strips[i].map((image, k) => (
                      <ImageTile key={k} image={image} size={40} label={`${STRIP[k]}σ`} onClick={() => setOffset(i, STRIP[k] as number)} />
                    ))}
                  </div>
                )}
              </li>
            ))}
          </ol>
          <SaveFigureForm
            name="directions"
            save={({ out, scale, overwrite }) =>
              studio.call('export.directions', { run, directions: report.settings, z: zSpecOf(sample), out, scale, overwrite })
            }
          />
        </>
      )}
      {notice && (
        <p className="muted" data-testid="directions-notice">
          {notice}
        </p>
      )}
      {error && <p className="error">{error}</p>}
    </section>
  )
}
