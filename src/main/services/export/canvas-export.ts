import type { z } from 'zod'
import type { ExportCanvasParams, ExportedFile } from '../../../shared/api/export'
import type { Job } from '../../../shared/api/jobs'
import type { Canvases } from '../canvas'
import type { Jobs } from '../jobs'
import type { FigureExports } from './figure-export'

/**
 * A big canvas as PNG, as a job: the size is checked and the grid made before the job starts (a bad request
 * fails at once), the engine draws it layer by layer (progress, cancel), and the PNG and its record are
 * written like every figure. The record keeps the request (seed, grid, blend, tiling; checkpoint pinned), so
 * `dcgan-studio canvas --from` draws the same picture, and the anchors as z vectors for other tools.
 */
export async function startCanvasExport(
  params: z.output<typeof ExportCanvasParams>,
  deps: { jobs: Jobs; canvases: Canvases; figures: FigureExports }
): Promise<{ job: Job; done: Promise<ExportedFile> }> {
  const canvas = await deps.canvases.prepare(params.run, params)
  const { columns, rows, tile, blend, seed } = params
  return deps.jobs.start({
    kind: 'export',
    title: `Big canvas ${columns}×${rows} (seed ${seed}) of ${params.run.id}`,
    target: { kind: 'run', id: params.run.id },
    run: async (ctx) => {
      ctx.report(0, `Drawing a ${canvas.width}×${canvas.height} canvas`, null)
      const image = await deps.canvases.draw(canvas, { signal: ctx.signal, onProgress: (fraction, message) => ctx.report(fraction * 0.9, message, null) })
      ctx.report(0.9, 'Writing the PNG', null)
      const latent = {
        rule: 'anchor i is sample i of the seed, row-major; cells between anchors are slerped (columns first, then rows)',
        anchorColumns: canvas.grid.anchorColumns,
        anchorRows: canvas.grid.anchorRows,
        anchors: canvas.grid.anchors
      }
      return deps.figures.canvas(params, canvas.step, image, latent, { columns, rows, blend, tile, cellPixels: canvas.cell })
    },
    doneMessage: (file) => `Wrote the ${file.width ?? 0}×${file.height ?? 0} canvas to ${file.file}.`
  })
}
