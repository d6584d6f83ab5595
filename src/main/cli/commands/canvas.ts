import * as path from 'node:path'
import { ExportCanvasParams } from '../../../shared/api/export'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { parseIntOption, parseNumberOption, parseRunRef, RUN_OPTIONS, withCliStudio, awaitJob } from '../studio-session'
import { parsed, recordedRequest } from './export-record-file'

export const canvasHelp = `dcgan-studio canvas --run R --grid 6x3 [--seed S] [--blend N] [--tile] [--statistics canvas|model] [--scale 4]
                    [--upscale nearest|lanczos]
                    [--checkpoint STEP] [--erasure ID] [--json] --out canvas.png
dcgan-studio canvas --from canvas.png.json --out canvas.png
  One big picture from a grid of z vectors (dcgan.torch's large imsize): G's first layer is a 4×4 transposed
  convolution of a 1×1 z map, so a grid of W×H z vectors draws one scene of (W+3)·s × (H+3)·s pixels, s being
  the model's image size / 4 (8 for a 32×32 model). The z vectors blend smoothly between anchors drawn from
  the seed, one every --blend cells (default 3; 1 gives every cell its own z); a 1×1 canvas is the seed's
  first sample. --tile makes the picture periodic (W·s × H·s), so copies of it tile without a seam.
  --statistics canvas (the default, as dcgan.torch) normalises BatchNorm with the canvas's own statistics;
  model uses the checkpoint's, exactly as a sample is drawn (a 1×1 canvas is then the sample, bit for bit).
  The PNG gets a record beside it (FILE.json); --from draws that record again, exactly. Ctrl+C cancels.`

function parseGrid(value: string | undefined): { columns: number; rows: number } {
  const match = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/i.exec(value ?? '')
  if (!match) throw new UsageError(`--grid needs COLUMNSxROWS, e.g. --grid 6x3${value ? `, not "${value}"` : ''}`)
  return { columns: Number(match[1]), rows: Number(match[2]) }
}

export async function canvasCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    ...RUN_OPTIONS,
    grid: { type: 'string' },
    seed: { type: 'string' },
    blend: { type: 'string' },
    tile: { type: 'boolean' },
    statistics: { type: 'string' },
    scale: { type: 'string' },
    upscale: { type: 'string' },
    out: { type: 'string' },
    from: { type: 'string' }
  })
  const out = makeOutput(values.json)
  if (!values.out) throw new UsageError('--out FILE is required, e.g. --out canvas.png')
  const file = path.resolve(values.out)
  let request: Record<string, unknown>
  if (values.from) {
    const changed = ['run', 'grid', 'seed', 'blend', 'statistics', 'scale', 'upscale', 'checkpoint', 'erasure'].filter(
      (k) => values[k as keyof typeof values] !== undefined
    )
    if (changed.length > 0 || values.tile)
      throw new UsageError(`--from draws exactly what the record says; only --out may change (not --${changed[0] ?? 'tile'}).`)
    request = { ...recordedRequest(values.from, 'canvas', 'a big canvas'), out: file, overwrite: true }
  } else {
    request = {
      run: parseRunRef(values),
      ...parseGrid(values.grid),
      seed: parseIntOption('seed', values.seed) ?? 0,
      ...(values.blend !== undefined ? { blend: parseIntOption('blend', values.blend) } : {}),
      tile: values.tile === true,
      ...(values.statistics !== undefined ? { statistics: values.statistics } : {}),
      ...(values.scale !== undefined ? { scale: parseNumberOption('scale', values.scale) } : {}),
      ...(values.upscale !== undefined ? { upscale: values.upscale } : {}),
      out: file,
      overwrite: true
    }
  }
  const params = parsed(ExportCanvasParams, request, 'canvas options')

  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const written = await awaitJob(studio, interrupted, await studio.exports.startCanvas(params), out)
    if (written === null) return 130
    out.emit({ event: 'done', ...written })
    out.say(`Wrote the ${written.width}×${written.height} canvas to ${written.file}; its record is ${written.sidecar}.`)
    return 0
  })
}
