import { useState } from 'react'
import type { FeaturesResult, FiltersResult, GuidedResult } from '../../../shared/api/explore'
import { studio } from '../../api/client'
import { errorText, useStudioData } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { type ModelChoice, runRef } from './model-ref'
import { type Sample, zSpecOf } from './selection'

/**
 * Inside the networks (paper Fig. 5): D's first-layer filters, every layer's feature maps for the selected
 * sample (strongest first), and guided backpropagation of a D feature for the trained and a random-init D.
 */
export function FeaturesPanel({ model, sample }: { model: ModelChoice; sample: Sample | null }) {
  const run = runRef(model)
  const [filters, setFilters] = useState<FiltersResult | null>(null)
  const [net, setNet] = useState<'D' | 'G'>('D')
  const [features, setFeatures] = useState<FeaturesResult | null>(null)
  const [layer, setLayer] = useState('d_conv1')
  const [guided, setGuided] = useState<GuidedResult | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const convLayers = Array.from({ length: Math.log2(model.imageSize / 4) }, (_, i) => `d_conv${i}`)
  // What goes through the networks: the selected sample, or an image of a dataset of the model's size.
  const [source, setSource] = useState<'sample' | 'dataset'>('sample')
  const datasets = useStudioData(() => studio.call('datasets.list'), [])
  const fitting = (datasets.data ?? []).filter((d) => d.size === model.imageSize)
  const [datasetId, setDatasetId] = useState('')
  const [imageIndex, setImageIndex] = useState(0)
  const chosenDataset = datasetId || fitting[0]?.id || ''
  const input = source === 'sample' ? (sample ? { kind: 'sample' as const, z: zSpecOf(sample) } : null) : chosenDataset ? { kind: 'dataset' as const, datasetId: chosenDataset, index: imageIndex } : null

  const act = async (what: string, work: () => Promise<void>): Promise<void> => {
    setBusy(what)
    setError(null)
    try {
      await work()
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(null)
    }
  }

  return (
    <section className="card grow" data-testid="features-panel">
      <h2>Features</h2>
      <div className="toolbar">
        <label>
          Input
          <select value={source} onChange={(e) => setSource(e.target.value as 'sample' | 'dataset')} data-testid="features-source">
            <option value="sample">the selected sample</option>
            <option value="dataset" disabled={fitting.length === 0}>
              a dataset image
            </option>
          </select>
        </label>
        {source === 'dataset' && (
          <>
            <label>
              Dataset
              <select value={chosenDataset} onChange={(e) => setDatasetId(e.target.value)}>
                {fitting.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Image #
              <input type="number" min={0} value={imageIndex} onChange={(e) => setImageIndex(Math.max(0, Math.floor(Number(e.target.value) || 0)))} />
            </label>
          </>
        )}
      </div>
      <div className="toolbar">
        <button type="button" disabled={busy !== null} onClick={() => void act('filters', async () => setFilters(await studio.call('explore.filters', { run })))}>
          D's first-layer filters
        </button>
        <label>
          Network
          <select value={net} onChange={(e) => setNet(e.target.value as 'D' | 'G')}>
            <option value="D">discriminator</option>
            <option value="G">generator</option>
          </select>
        </label>
        <button
          type="button"
          disabled={!input || busy !== null}
          onClick={() =>
            void act('features', async () => {
              if (input) setFeatures(await studio.call('explore.features', { run, net: input.kind === 'dataset' ? 'D' : net, input, maxMapsPerLayer: 16 }))
            })
          }
          data-testid="features-run"
        >
          Feature maps
        </button>
      </div>
      <div className="toolbar">
        <label>
          Guided backprop of layer
          <select value={layer} onChange={(e) => setLayer(e.target.value)}>
            {convLayers.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!input || busy !== null}
          onClick={() =>
            void act('guided', async () => {
              if (input) setGuided(await studio.call('explore.guided', { run, input, layer, channel: null }))
            })
          }
          data-testid="guided-run"
        >
          Trained vs random D
        </button>
      </div>
      {!input && <p className="muted">Select a sample (or choose a dataset image) to look inside the networks with it.</p>}
      {busy && <p className="muted">Computing {busy}…</p>}
      {error && <p className="error">{error}</p>}
      {guided && (
        <div data-testid="guided-result">
          <h3>
            Guided backpropagation of {guided.layer}, feature {guided.channel}
          </h3>
          <div className="tiles row">
            {(
              [
                ['image', guided.image],
                ['trained D', guided.trained],
                ['random-init D', guided.random],
                ['plain gradient', guided.plain]
              ] as const
            ).map(([label, image]) => (
              <figure key={label} className="captioned">
                <ImageTile image={image} size={96} label={label} />
                <figcaption>{label}</figcaption>
              </figure>
            ))}
          </div>
        </div>
      )}
      {filters && (
        <>
          <h3>
            {filters.count} first-layer filters ({filters.kernelSize}×{filters.kernelSize})
          </h3>
          <div className="tiles" style={{ gridTemplateColumns: 'repeat(16, max-content)' }} data-testid="filters-grid">
            {filters.filters.map((f, i) => (
              <ImageTile key={i} image={f} size={24} label={`filter ${i}`} />
            ))}
          </div>
        </>
      )}
      {features &&
        features.layers.map((l) => (
          <div key={l.name} className="layer-maps">
            <h3>
              {l.name} <span className="muted">{l.shape.join('×')}</span>
            </h3>
            <div className="tiles row">
              {l.maps.map((m) => (
                <ImageTile key={m.channel} image={m.image} size={Math.max(24, Math.min(64, (l.shape[0] ?? 8) * 2))} label={`${l.name} map ${m.channel} (${m.strength.toFixed(2)})`} />
              ))}
            </div>
          </div>
        ))}
    </section>
  )
}
