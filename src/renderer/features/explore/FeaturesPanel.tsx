import { useEffect, useMemo, useRef, useState } from 'react'
import type { MethodParams } from '../../../shared/api/contract'
import type { FeaturesResult, FiltersResult, GuidedResult, LayerFeatures } from '../../../shared/api/explore'
import { studio } from '../../api/client'
import { errorText, useStudioData } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { peekExploreState, setExploreState, useExploreState } from './explore-state'
import { type ModelChoice, runRef, useRunRef } from './model-ref'
import { type Sample, zSpecOf } from './selection'

/** What the panel shows: the answer to the latest request, and only that. */
type Shown =
  | { kind: 'filters'; result: FiltersResult & { step: number } }
  | { kind: 'features'; result: FeaturesResult & { step: number }; net: 'D' | 'G'; maps: number }
  | { kind: 'guided'; result: GuidedResult & { step: number }; chosen: boolean }

/** How many maps per layer the feature view asks for; the studio gives at most 256. */
const MAP_COUNTS = [16, 64, 256] as const
/** Features listed for guided backpropagation: the whole layer, up to what one request returns. */
const RANKED_FEATURES = 256

/**
 * Inside the networks (paper Fig. 5): D's first-layer filters, every layer's feature maps for the selected
 * sample (strongest first), and guided backpropagation of a chosen D feature (the strongest by default) for
 * the trained and a random-init D. A new request clears what an earlier one showed; the latest answer wins.
 */
export function FeaturesPanel({ model, sample }: { model: ModelChoice; sample: Sample | null }) {
  const run = useRunRef(runRef(model))
  const scope = model.id
  const [net, setNet] = useExploreState<'D' | 'G'>(scope, 'features.net', 'D')
  const [mapCount, setMapCount] = useExploreState<number>(scope, 'features.maps', 16)
  const [layer, setLayer] = useExploreState(scope, 'features.layer', 'd_conv1')
  const [channel, setChannel] = useExploreState<number | null>(scope, 'features.channel', null)
  const [shown, setShown] = useExploreState<Shown | null>(scope, 'features.shown', null)
  const [busy, setBusy] = useExploreState<string | null>(scope, 'features.busy', null)
  const [error, setError] = useExploreState<string | null>(scope, 'features.error', null)
  const convLayers = Array.from({ length: Math.log2(model.imageSize / 4) }, (_, i) => `d_conv${i}`)
  // What goes through the networks: the selected sample, or an image of a dataset of the model's size.
  const [source, setSource] = useExploreState<'sample' | 'dataset'>(scope, 'features.source', 'sample')
  const datasets = useStudioData(() => studio.call('datasets.list'), [])
  const fitting = (datasets.data ?? []).filter((d) => d.size === model.imageSize)
  const [datasetId, setDatasetId] = useExploreState(scope, 'features.dataset', '')
  const [imageIndex, setImageIndex] = useExploreState(scope, 'features.image', 0)
  const chosenDataset = datasetId || fitting[0]?.id || ''
  // One object per input chosen, so the ranked features are asked for again only when the input changes.
  const sampleInput = useMemo(() => (sample ? { kind: 'sample' as const, z: zSpecOf(sample) } : null), [sample])
  const datasetInput = useMemo(
    () => (chosenDataset ? { kind: 'dataset' as const, datasetId: chosenDataset, index: imageIndex } : null),
    [chosenDataset, imageIndex]
  )
  const input = source === 'sample' ? sampleInput : datasetInput
  const ranked = useRankedFeatures(run, layer, input)

  /** Runs one request; it replaces whatever was shown, and only the newest request's answer is shown. */
  const act = async (what: string, work: () => Promise<Shown>): Promise<void> => {
    const mine = peekExploreState(scope, 'features.latest', 0) + 1
    setExploreState(scope, 'features.latest', mine)
    const current = (): boolean => peekExploreState(scope, 'features.latest', 0) === mine
    setShown(null)
    setBusy(what)
    setError(null)
    try {
      const answer = await work()
      if (current()) setShown(answer)
    } catch (err) {
      if (current()) setError(errorText(err))
    } finally {
      if (current()) setBusy(null)
    }
  }
  const showFeatures = (maps: number): void => {
    if (!input) return
    const asked = input.kind === 'dataset' ? 'D' : net
    void act('feature maps', async () => ({
      kind: 'features',
      net: asked,
      maps,
      result: await studio.call('explore.features', { run, net: asked, input, maxMapsPerLayer: maps })
    }))
  }
  const explain = (onLayer: string, feature: number | null): void => {
    if (!input) return
    void act('guided backpropagation', async () => ({
      kind: 'guided',
      chosen: feature !== null,
      result: await studio.call('explore.guided', { run, input, layer: onLayer, channel: feature })
    }))
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
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void act('filters', async () => ({ kind: 'filters', result: await studio.call('explore.filters', { run }) }))}
        >
          D's first-layer filters
        </button>
        <label>
          Network
          <select
            value={source === 'dataset' ? 'D' : net}
            disabled={source === 'dataset'}
            onChange={(e) => setNet(e.target.value as 'D' | 'G')}
            data-testid="features-net"
          >
            <option value="D">discriminator</option>
            <option value="G">generator</option>
          </select>
        </label>
        <label>
          Maps per layer
          <select value={mapCount} onChange={(e) => setMapCount(Number(e.target.value))} data-testid="features-map-count">
            {MAP_COUNTS.map((n) => (
              <option key={n} value={n}>
                {n === 256 ? 'all (up to 256)' : `top ${n}`}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!input || busy !== null} onClick={() => showFeatures(mapCount)} data-testid="features-run">
          Feature maps
        </button>
      </div>
      <div className="toolbar">
        <label>
          Guided backprop of layer
          <select
            value={layer}
            onChange={(e) => {
              setLayer(e.target.value)
              setChannel(null)
            }}
            data-testid="guided-layer"
          >
            {convLayers.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          Feature
          <select
            value={channel ?? 'strongest'}
            onChange={(e) => setChannel(e.target.value === 'strongest' ? null : Number(e.target.value))}
            data-testid="guided-channel"
          >
            <option value="strongest">{ranked.features[0] ? `the strongest (#${ranked.features[0].channel})` : 'the strongest for this input'}</option>
            {/* A feature chosen before the list arrived (or from a map below) stays choosable. */}
            {channel !== null && !ranked.features.some((f) => f.channel === channel) && <option value={channel}>#{channel}</option>}
            {ranked.features.map((f, rank) => (
              <option key={f.channel} value={f.channel}>
                #{f.channel} · rank {rank + 1} · mean {f.strength.toFixed(2)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!input || busy !== null} onClick={() => explain(layer, channel)} data-testid="guided-run">
          Trained vs random D
        </button>
      </div>
      {ranked.total > ranked.features.length && (
        <p className="muted">
          The list holds the {ranked.features.length} strongest of {layer}'s {ranked.total} features for this input.
        </p>
      )}
      {ranked.error && <p className="error">{ranked.error}</p>}
      {!input && <p className="muted">Select a sample (or choose a dataset image) to look inside the networks with it.</p>}
      {busy && <p className="muted">Computing {busy}…</p>}
      {error && <p className="error">{error}</p>}
      {shown?.kind === 'guided' && <GuidedView guided={shown.result} chosen={shown.chosen} />}
      {shown?.kind === 'filters' && (
        <div data-testid="filters-result">
          <h3>
            {shown.result.count} first-layer filters ({shown.result.kernelSize}×{shown.result.kernelSize}) at step {shown.result.step}
          </h3>
          <div className="tiles" style={{ gridTemplateColumns: 'repeat(16, max-content)' }} data-testid="filters-grid">
            {shown.result.filters.map((f, i) => (
              <ImageTile key={i} image={f} size={24} label={`filter ${i}`} />
            ))}
          </div>
        </div>
      )}
      {shown?.kind === 'features' && (
        <div data-testid="features-result" data-net={shown.net}>
          <p className="muted">
            {shown.net === 'G' ? 'The generator' : 'The discriminator'} at step {shown.result.step}, each layer's maps strongest first (by mean activation).
            {shown.net === 'D' && ' Click a map of a d_conv layer to explain it with guided backpropagation.'}
          </p>
          {shown.result.layers.map((l) => (
            <LayerMaps
              key={l.name}
              layer={l}
              asked={shown.maps}
              onShowAll={busy === null && shown.maps < 256 ? () => showFeatures(256) : undefined}
              onExplain={
                shown.net === 'D' && /^d_conv\d+$/.test(l.name)
                  ? (feature) => {
                      setLayer(l.name)
                      setChannel(feature)
                      explain(l.name, feature)
                    }
                  : undefined
              }
            />
          ))}
        </div>
      )}
    </section>
  )
}

/** One layer of the feature view: its maps (how many of how many), or the number a one-unit layer holds. */
function LayerMaps({
  layer,
  asked,
  onShowAll,
  onExplain
}: {
  layer: LayerFeatures
  asked: number
  onShowAll?: () => void
  onExplain?: (channel: number) => void
}) {
  const spatial = layer.shape.length === 3
  const total = spatial ? (layer.shape[2] ?? 0) : 0
  const only = layer.maps[0]
  return (
    <div className="layer-maps" data-testid={`layer-${layer.name}`}>
      <h3>
        {layer.name} <span className="muted">{layer.shape.join('×')}</span>
        {spatial && (
          <span className="muted" data-testid="maps-count">
            {' '}
            · {layer.maps.length < total ? `top ${layer.maps.length} of ${total} maps` : `all ${total} maps`}
          </span>
        )}
        {spatial && layer.maps.length < total && asked < 256 && onShowAll && (
          <button type="button" className="link" onClick={onShowAll}>
            {' '}
            show {total > 256 ? 'the top 256' : `all ${total}`}
          </button>
        )}
      </h3>
      {spatial && (
        <div className="tiles row">
          {layer.maps.map((m) => {
            const label = `${layer.name} map ${m.channel} (mean ${m.strength.toFixed(2)})`
            const size = Math.max(24, Math.min(64, (layer.shape[0] ?? 8) * 2))
            return (
              <ImageTile
                key={m.channel}
                image={m.image}
                size={size}
                label={onExplain ? `${label}: explain with guided backpropagation` : label}
                onClick={onExplain ? () => onExplain(m.channel) : undefined}
              />
            )
          })}
        </div>
      )}
      {!spatial && only && layer.maps.length === 1 && <ScalarValue layer={layer} value={only.strength} />}
      {!spatial && layer.maps.length === 0 && (
        <p className="muted">A flat vector of {layer.shape[0]} numbers: the same values its spatial neighbour shows as maps.</p>
      )}
    </div>
  )
}

/** D's verdict: the logit, and the sigmoid's probability that the image is real. */
function ScalarValue({ layer, value }: { layer: LayerFeatures; value: number }) {
  const probability = layer.kind === 'sigmoid' ? value : 1 / (1 + Math.exp(-value))
  return (
    <p className="scalar-value" data-testid={`value-${layer.name}`}>
      <span
        className="swatch"
        style={{
          background: `rgb(${Array(3)
            .fill(Math.round(255 * probability))
            .join(',')})`
        }}
        aria-hidden="true"
      />
      <b>{value.toFixed(3)}</b>{' '}
      <span className="muted">
        {layer.kind === 'sigmoid'
          ? `D's probability that this image is real (${probability >= 0.5 ? 'D takes it for real' : 'D takes it for fake'})`
          : `the logit, before the sigmoid (sigmoid: ${probability.toFixed(3)})`}
      </span>
    </p>
  )
}

function GuidedView({ guided, chosen }: { guided: GuidedResult & { step: number }; chosen: boolean }) {
  return (
    <div data-testid="guided-result" data-layer={guided.layer} data-channel={guided.channel}>
      <h3>
        Guided backpropagation of {guided.layer}, feature #{guided.channel} {chosen ? '' : '(the strongest for this input)'} at step {guided.step}
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
  )
}

/**
 * The features of a D layer ranked by how strongly they fire for the input, for the guided-backprop choice.
 * Asked again when the layer, the input or the model changes; the newest answer wins.
 */
function useRankedFeatures(
  run: ReturnType<typeof runRef>,
  layer: string,
  input: MethodParams<'explore.features'>['input'] | null
): { features: { channel: number; strength: number }[]; total: number; error: string | null } {
  const [state, setState] = useState<{ features: { channel: number; strength: number }[]; total: number; error: string | null }>({
    features: [],
    total: 0,
    error: null
  })
  const ticket = useRef(0)
  useEffect(() => {
    const mine = ++ticket.current
    setState({ features: [], total: 0, error: null })
    if (!input) return
    studio.call('explore.features', { run, net: 'D', input, layer, maxMapsPerLayer: RANKED_FEATURES }).then(
      (answer) => {
        const found = answer.layers.find((l) => l.name === layer)
        if (mine === ticket.current && found)
          setState({ features: found.maps.map((m) => ({ channel: m.channel, strength: m.strength })), total: found.shape[2] ?? found.maps.length, error: null })
      },
      (err: unknown) => mine === ticket.current && setState({ features: [], total: 0, error: `Could not rank ${layer}'s features: ${errorText(err)}` })
    )
  }, [run, layer, input])
  return state
}
