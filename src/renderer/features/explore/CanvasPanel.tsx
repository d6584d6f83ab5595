import { useEffect, useRef, useState } from 'react'
import { type CanvasResult, type CanvasStatistics, MAX_CANVAS_CELLS } from '../../../shared/api/canvas'
import type { Job } from '../../../shared/api/jobs'
import { canvasSize, canvasSizeProblem } from '../../../shared/latent/canvas-grid'
import { studio } from '../../api/client'
import { errorText } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { NumberInput } from '../../components/NumberInput'
import { JobProgress } from '../../components/ProgressBar'
import { cancelExport, exportCanvas } from '../export/export-actions'
import { SaveFigureForm } from '../export/SaveFigureForm'
import { useExploreState } from './explore-state'
import { type ModelChoice, runKey, runRef, useRunRef } from './model-ref'

const ZOOMS = [
  { id: 'fit', label: 'Fit' },
  { id: '1', label: '1×' },
  { id: '2', label: '2×' },
  { id: '4', label: '4×' }
] as const
type Zoom = (typeof ZOOMS)[number]['id']

/** Waits this long after the last change of a setting before drawing, so typing "12" draws once. */
const SETTLE_MS = 250

const cells = (n: number): number => Math.min(MAX_CANVAS_CELLS, Math.max(1, Math.floor(n) || 1))

/**
 * Big canvas (dcgan.torch's large imsize): a grid of z vectors drawn as one picture, redrawn as the settings
 * change (the newest request wins), shown with crisp pixels at a chosen zoom, and exported as PNG with its record.
 */
export function CanvasPanel({ model }: { model: ModelChoice }) {
  const scope = model.id
  const [columns, setColumns] = useExploreState(scope, 'canvas.columns', 6)
  const [rows, setRows] = useExploreState(scope, 'canvas.rows', 3)
  const [seed, setSeed] = useExploreState(scope, 'canvas.seed', 0)
  const [blend, setBlend] = useExploreState(scope, 'canvas.blend', 3)
  const [tile, setTile] = useExploreState(scope, 'canvas.tile', false)
  const [statistics, setStatistics] = useExploreState<CanvasStatistics>(scope, 'canvas.statistics', 'canvas')
  const [zoom, setZoom] = useExploreState<Zoom>(scope, 'canvas.zoom', 'fit')
  const [result, setResult] = useExploreState<(CanvasResult & { drawnFor: string }) | null>(scope, 'canvas.result', null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [job, setJob] = useState<Job | null>(null)
  const run = useRunRef(runRef(model))
  const spec = { columns: cells(columns), rows: cells(rows), seed: Math.max(0, Math.floor(seed) || 0), blend: cells(blend), tile, statistics }
  const key = JSON.stringify([runKey(run), spec])
  const size = canvasSize(model, spec.columns, spec.rows, spec.tile)
  // The side limit is known here, so a grid too wide says so at once (the studio also checks G's memory).
  const tooLarge = canvasSizeProblem({ imageSize: model.imageSize, genWidth: 1 }, spec.columns, spec.rows, spec.tile)
  const ticket = useRef(0)

  useEffect(() => {
    if (result?.drawnFor === key || tooLarge) return
    const mine = ++ticket.current
    const timer = setTimeout(() => {
      setBusy(true)
      setError(null)
      studio
        .call('explore.canvas', { run, ...spec })
        .then(
          (drawn) => mine === ticket.current && setResult({ ...drawn, drawnFor: key }),
          // A newer request replaced this one ('superseded'): its answer is the one to show.
          (err: unknown) => mine === ticket.current && (err as { code?: string }).code !== 'superseded' && setError(errorText(err))
        )
        .finally(() => mine === ticket.current && setBusy(false))
    }, SETTLE_MS)
    return () => clearTimeout(timer)
    // `spec` and `run` are what `key` names.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tooLarge])

  const image = result?.image ?? null
  const stale = result !== null && result.drawnFor !== key
  return (
    <section className="card grow canvas-panel" data-testid="canvas-panel">
      <h2>Big canvas</h2>
      <p className="muted">
        G&apos;s first layer is a 4×4 transposed convolution of one z, so a grid of z vectors draws one large scene: every cell adds {size.cell} px, and the z
        blend smoothly between anchors drawn from the seed. With the model&apos;s statistics, a 1×1 canvas is the seed&apos;s first sample.
      </p>
      <div className="toolbar canvas-settings">
        <NumberInput label="Columns" value={columns} min={1} max={MAX_CANVAS_CELLS} onChange={setColumns} testId="canvas-columns" />
        <NumberInput label="Rows" value={rows} min={1} max={MAX_CANVAS_CELLS} onChange={setRows} testId="canvas-rows" />
        <NumberInput label="Seed" value={seed} min={0} onChange={setSeed} testId="canvas-seed" />
        <button type="button" onClick={() => setSeed(Math.floor(Math.random() * 100_000))} data-testid="canvas-new-seed">
          New seed
        </button>
        <NumberInput label="Anchor every (cells)" value={blend} min={1} max={MAX_CANVAS_CELLS} onChange={setBlend} testId="canvas-blend" />
        <label className="check">
          <input type="checkbox" checked={tile} onChange={(e) => setTile(e.target.checked)} data-testid="canvas-tile" /> seamless tiling
        </label>
        <label>
          BatchNorm statistics
          <select value={statistics} onChange={(e) => setStatistics(e.target.value as CanvasStatistics)} data-testid="canvas-statistics">
            <option value="canvas">the canvas&apos;s own (dcgan.torch)</option>
            <option value="model">the model&apos;s (as a sample)</option>
          </select>
        </label>
        <label>
          Zoom
          <select value={zoom} onChange={(e) => setZoom(e.target.value as Zoom)} data-testid="canvas-zoom">
            {ZOOMS.map((z) => (
              <option key={z.id} value={z.id}>
                {z.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted" data-testid="canvas-size">
        {spec.columns}×{spec.rows} cells → {size.width}×{size.height} px{tile ? ', tiles seamlessly' : ''}
        {busy && ' · drawing…'}
        {result && !stale && ` · checkpoint ${result.step}, ${Math.round(result.millis)} ms`}
      </p>
      {tooLarge && <p className="error">{tooLarge}</p>}
      {error && (
        <p className="error" data-testid="canvas-error">
          {error}
        </p>
      )}
      {image && (
        <div className={`canvas-view${stale ? ' stale' : ''}`} data-testid="canvas-view">
          <ImageTile
            image={image}
            size={zoom === 'fit' ? 'fill' : image.width * Number(zoom)}
            label={`Canvas ${result?.columns ?? 0}×${result?.rows ?? 0}, seed ${spec.seed}`}
            testId="canvas-image"
          />
        </div>
      )}
      <h3>Export</h3>
      <SaveFigureForm
        name={`canvas-${model.id}`}
        save={(output) => exportCanvas({ run, ...spec, ...output }, setJob)}
        progress={job && <JobProgress job={job} onCancel={() => void cancelExport(job)} />}
      />
    </section>
  )
}
