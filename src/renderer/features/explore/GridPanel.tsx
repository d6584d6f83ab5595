import { useEffect, useMemo, useState } from 'react'
import type { GridResult } from '../../../shared/api/grid'
import { CORNER_NAMES, cornerCells } from '../../../shared/latent/grid'
import { studio } from '../../api/client'
import { errorText } from '../../api/hooks'
import { clampInt } from '../../components/clamp-int'
import { ImageTile } from '../../components/ImageTile'
import { ExportGridVideoDialog } from '../export/ExportGridVideoDialog'
import { saveGridFigure } from '../export/export-actions'
import { SaveFigureForm } from '../export/SaveFigureForm'
import { useExploreState } from './explore-state'
import { type ModelChoice, runKey, runRef, useRunRef } from './model-ref'
import { type Sample, sampleKey, zSpecOf } from './selection'

/**
 * Latent grids (plat's "mine grid"; paper Fig. 4 in two dimensions): four corner samples spread over a grid
 * by slerp or lerp. It renders as soon as the corners or the settings change (the newest request wins); a
 * cell clicked joins the selection; the grid saves as a PNG figure or as a video sweeping its rows.
 */
export function GridPanel({
  model,
  corners,
  onClearCorners,
  onSelect
}: {
  model: ModelChoice
  corners: Sample[]
  onClearCorners: () => void
  onSelect: (sample: Sample) => void
}) {
  const scope = model.id
  const [columns, setColumns] = useExploreState(scope, 'grid.columns', 8)
  const [rows, setRows] = useExploreState(scope, 'grid.rows', 8)
  const [mode, setMode] = useExploreState<'lerp' | 'slerp'>(scope, 'grid.mode', 'slerp')
  const [markCorners, setMarkCorners] = useState(true)
  const [grid, setGrid] = useExploreState<{ key: string; result: GridResult } | null>(scope, 'grid.result', null)
  const [error, setError] = useState<string | null>(null)
  const [videoOpen, setVideoOpen] = useState(false)
  const run = useRunRef(runRef(model))
  const keys = useMemo(() => corners.map(zSpecOf), [corners])
  const ready = corners.length === 4
  const requestKey = JSON.stringify([runKey(run), corners.map((c) => c.key), columns, rows, mode])
  const shown = grid?.key === requestKey ? grid.result : null
  const busy = ready && shown === null && error === null

  // The studio renders the newest request and answers older ones 'superseded', which are simply ignored here.
  useEffect(() => {
    if (!ready || grid?.key === requestKey) return
    let current = true
    setError(null)
    studio
      .call('explore.grid', { run, corners: keys, columns, rows, mode, channel: 'grid-panel' })
      .then((result) => current && setGrid({ key: requestKey, result }))
      .catch((err: unknown) => {
        if (current && (err as { code?: string }).code !== 'superseded') setError(errorText(err))
      })
    return () => {
      current = false
    }
  }, [ready, requestKey, grid?.key, run, keys, columns, rows, mode, setGrid])

  const corner = new Set(cornerCells(columns, rows))
  const gridSpec = { run, corners: keys, columns, rows, mode }
  return (
    <section className="card grow" data-testid="grid-panel">
      <h2>Latent grid</h2>
      <div className="grid-corners" data-testid="grid-corners">
        {CORNER_NAMES.map((name, i) => {
          const sample = corners[i]
          return (
            <figure key={name} className="grid-corner-slot" data-testid={`grid-corner-${name}`}>
              {sample ? (
                <ImageTile image={sample.image} size={48} label={`${name} corner`} />
              ) : (
                <span className="grid-corner-empty" aria-label={`${name} corner: empty`} />
              )}
              <figcaption className="muted">{name}</figcaption>
            </figure>
          )
        })}
        {!ready && (
          <p className="muted grid-hint">
            Select four samples (in the order top-left, top-right, bottom-left, bottom-right) and press "Use as grid corners"; the first four selected are used.
          </p>
        )}
      </div>
      <div className="toolbar">
        <label>
          Columns
          <input type="number" min={2} max={16} value={columns} onChange={(e) => setColumns(clampInt(e.target.value, 2, 16))} data-testid="grid-columns" />
        </label>
        <label>
          Rows
          <input type="number" min={2} max={16} value={rows} onChange={(e) => setRows(clampInt(e.target.value, 2, 16))} data-testid="grid-rows" />
        </label>
        <label>
          Interpolation
          <select value={mode} onChange={(e) => setMode(e.target.value as 'lerp' | 'slerp')} data-testid="grid-mode">
            <option value="slerp">spherical (slerp)</option>
            <option value="lerp">linear (bilinear)</option>
          </select>
        </label>
        <button type="button" disabled={corners.length === 0} onClick={onClearCorners} data-testid="grid-clear">
          Clear corners
        </button>
        <button
          type="button"
          disabled={!ready}
          onClick={() => setVideoOpen(true)}
          data-testid="grid-export-video"
          title="Save a video sweeping the grid row by row"
        >
          Export video…
        </button>
        {busy && <span className="muted">Rendering…</span>}
      </div>
      {error && <p className="error">{error}</p>}
      {shown && (
        <>
          <div
            className="sample-tiles latent-grid"
            style={{ gridTemplateColumns: `repeat(${shown.columns}, minmax(0, 1fr))`, maxWidth: shown.columns * 68 }}
            data-testid="grid-cells"
            data-columns={shown.columns}
            data-rows={shown.rows}
            data-step={shown.step}
          >
            {shown.cells.map((cell, i) => {
              const c = i % shown.columns
              const r = Math.floor(i / shown.columns)
              return (
                <div key={i} className={`sample-cell${markCorners && corner.has(i) ? ' grid-corner' : ''}`}>
                  <ImageTile
                    image={cell.image}
                    size="fill"
                    label={`grid cell column ${c + 1}, row ${r + 1} (add to the selection)`}
                    onClick={() => onSelect({ key: sampleKey(null, 0, cell.z), seed: null, index: 0, z: cell.z, image: cell.image })}
                    testId={`grid-cell-${i}`}
                  />
                </div>
              )
            })}
          </div>
          <label className="check grid-mark">
            <input type="checkbox" checked={markCorners} onChange={(e) => setMarkCorners(e.target.checked)} data-testid="grid-mark-corners" /> frame the corners
          </label>
          <SaveFigureForm name={`grid-${model.id}`} save={(o) => saveGridFigure({ ...gridSpec, markCorners, ...o })} />
        </>
      )}
      {videoOpen && <ExportGridVideoDialog grid={gridSpec} onClose={() => setVideoOpen(false)} />}
    </section>
  )
}
