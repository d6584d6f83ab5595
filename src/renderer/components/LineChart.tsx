interface Series {
  label: string
  color: string
  values: number[]
}

interface LineChartProps {
  title: string
  x: number[]
  series: Series[]
  height?: number
  /** Fixed y range (e.g. [0, 1] for probabilities); otherwise fitted to the data. */
  yRange?: [number, number]
  testId?: string
}

/** A small SVG line chart: enough for live loss curves without a charting library. */
export function LineChart({ title, x, series, height = 160, yRange, testId }: LineChartProps) {
  const width = 520
  const pad = { left: 44, right: 8, top: 8, bottom: 22 }
  const all = series.flatMap((s) => s.values.filter(Number.isFinite))
  const [yMin, yMax] = yRange ?? [Math.min(0, ...all), Math.max(1e-6, ...all)]
  const xMin = x[0] ?? 0
  const xMax = Math.max(xMin + 1, x[x.length - 1] ?? 1)
  const sx = (v: number): number => pad.left + ((v - xMin) / (xMax - xMin)) * (width - pad.left - pad.right)
  const sy = (v: number): number => pad.top + (1 - (v - yMin) / (yMax - yMin || 1)) * (height - pad.top - pad.bottom)
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        {title}
        {series.map((s) => (
          <span key={s.label} className="legend" style={{ color: s.color }}>
            ● {s.label} {s.values.length > 0 ? (s.values[s.values.length - 1] as number).toFixed(3) : ''}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={title}>
        <line x1={pad.left} x2={width - pad.right} y1={sy(yMin)} y2={sy(yMin)} className="axis" />
        <line x1={pad.left} x2={pad.left} y1={pad.top} y2={height - pad.bottom} className="axis" />
        <text x={pad.left - 4} y={sy(yMax) + 4} textAnchor="end" className="tick">
          {yMax.toFixed(2)}
        </text>
        <text x={pad.left - 4} y={sy(yMin)} textAnchor="end" className="tick">
          {yMin.toFixed(2)}
        </text>
        <text x={pad.left} y={height - 6} className="tick">
          {xMin}
        </text>
        <text x={width - pad.right} y={height - 6} textAnchor="end" className="tick">
          step {xMax}
        </text>
        {series.map((s) => (
          <polyline
            key={s.label}
            fill="none"
            stroke={s.color}
            strokeWidth={1.5}
            points={s.values.map((v, i) => (Number.isFinite(v) ? `${sx(x[i] ?? 0).toFixed(1)},${sy(v).toFixed(1)}` : '')).join(' ')}
          />
        ))}
      </svg>
    </figure>
  )
}
