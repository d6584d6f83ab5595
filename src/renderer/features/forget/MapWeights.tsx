import type { MapWeight } from '../../../shared/api/forget'

interface MapWeightsProps {
  layer: string
  maps: readonly MapWeight[]
  /** How many maps are dropped: the top `drop` by weight. */
  drop: number
  /** The paper's rule: every map with weight > 0. */
  paperCount: number
  onDrop: (n: number) => void
}

const HEIGHT = 120

/**
 * Every map's weight, largest first, as bars (the dropped ones highlighted), and how many to drop. The paper
 * drops every positive map; on small models that can wreck the images, so fewer is often the better erasure.
 */
export function MapWeights({ layer, maps, drop, paperCount, onDrop }: MapWeightsProps) {
  const most = Math.max(1e-9, ...maps.map((m) => Math.abs(m.weight)))
  const barWidth = Math.max(2, Math.min(14, Math.floor(640 / Math.max(1, maps.length))))
  const width = barWidth * maps.length
  const zero = HEIGHT / 2
  const dropped = maps.slice(0, drop)

  return (
    <div className="map-weights" data-testid="forget-maps" data-count={maps.length} data-drop={drop}>
      <div className="toolbar">
        <label>
          Drop the top
          <input
            type="number"
            min={0}
            max={maps.length}
            value={drop}
            onChange={(e) => onDrop(clampInt(e.target.value, 0, maps.length))}
            data-testid="forget-drop"
          />
        </label>
        <label className="grow-range">
          maps of {maps.length} by weight
          <input
            type="range"
            min={0}
            max={maps.length}
            value={drop}
            onChange={(e) => onDrop(Number(e.target.value))}
            aria-label="Maps to drop"
            data-testid="forget-drop-range"
          />
        </label>
        <button
          type="button"
          className="small"
          disabled={drop === paperCount}
          onClick={() => onDrop(paperCount)}
          title="Drop every map with a positive weight, as the paper does"
          data-testid="forget-drop-paper"
        >
          Paper's rule: all {paperCount} with weight &gt; 0
        </button>
      </div>
      <svg
        className="weights-chart"
        viewBox={`0 0 ${width} ${HEIGHT}`}
        width={width}
        height={HEIGHT}
        role="img"
        aria-label={`Weights of ${layer}'s ${maps.length} maps, largest first; the top ${drop} are dropped`}
      >
        <line className="axis" x1={0} x2={width} y1={zero} y2={zero} />
        {maps.map((m, i) => {
          const h = (Math.abs(m.weight) / most) * (HEIGHT / 2 - 2)
          return (
            <rect
              key={m.channel}
              className={i < drop ? 'bar-dropped' : m.weight > 0 ? 'bar-positive' : 'bar-negative'}
              x={i * barWidth + 0.5}
              y={m.weight >= 0 ? zero - h : zero}
              width={Math.max(1, barWidth - 1)}
              height={Math.max(0.5, h)}
              onClick={() => onDrop(i + 1)}
            >
              <title>
                map {m.channel}: weight {m.weight.toFixed(3)}
                {i < drop ? ' (dropped)' : ''} — click to drop the top {i + 1}
              </title>
            </rect>
          )
        })}
        {drop > 0 && drop < maps.length && <line className="drop-line" x1={drop * barWidth} x2={drop * barWidth} y1={0} y2={HEIGHT} />}
      </svg>
      <p className="muted small-print" data-testid="forget-dropped">
        {dropped.length === 0
          ? 'No map dropped: G draws as before.'
          : `Dropping ${layer} maps ${dropped.map((m) => `${m.channel} (${m.weight.toFixed(2)})`).join(', ')}.`}
      </p>
    </div>
  )
}

function clampInt(text: string, min: number, max: number): number {
  const n = Math.floor(Number(text))
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min
}
