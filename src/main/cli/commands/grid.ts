import * as path from 'node:path'
import { VideoFormat } from '../../../shared/api/export'
import { ExportGridParams, ExportGridVideoParams } from '../../../shared/api/grid'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { RUN_OPTIONS, parseIntOption, parseNumberOption, parseRunRef, withCliStudio, awaitJob } from '../studio-session'
import { seedList } from './export'
import { parsed, readExportRecord } from './export-record-file'

export const gridHelp = `dcgan-studio grid --run R --corners 1,2,3,4 [--size 8x8] [--mode slerp|lerp] --out grid.png
                 [--scale 4] [--upscale nearest|lanczos] [--plain-corners] [--checkpoint STEP] [--erasure ID] [--json]
dcgan-studio grid --run R --corners 1,2,3,4 [--size 8x8] [--mode slerp|lerp] --out grid.mp4|grid.webm|grid.gif
                 [--frames-per-cell 8] [--fps 30] [--frame-size 512] [--upscale nearest|lanczos]
dcgan-studio grid --from FILE.json --out FILE [--format mp4|webm|gif]
  A latent grid: the samples of four seeds in the corners (top-left, top-right, bottom-left, bottom-right), the
  cells between them spread by slerp (along the top and bottom edges, then down; the default) or lerp (bilinear).
  --size is columns x rows (2…16 each, default 8x8). A .png --out writes the grid as a figure (cells 2 px apart
  before --scale, the corner cells framed unless --plain-corners); a video --out (.mp4, .webm, .gif, or --format)
  writes one picture sweeping the grid row by row in snake order, lerp from cell to cell, --frames-per-cell
  frames apart. Each gets a record beside it (FILE.json); --from renders such a record again, exactly (only
  --out, and a video's --format, may change). An existing file is replaced. Ctrl+C cancels a video and leaves nothing behind.`

const VIDEO_OF_EXTENSION: Record<string, 'mp4' | 'webm' | 'gif'> = { '.mp4': 'mp4', '.m4v': 'mp4', '.webm': 'webm', '.gif': 'gif' }

type Values = Record<string, string | boolean | string[] | undefined>

/** "8x8" (columns x rows) as numbers. */
function gridSize(value: string | undefined): { columns: number; rows: number } {
  if (value === undefined) return { columns: 8, rows: 8 }
  const match = /^(\d+)\s*[x×]\s*(\d+)$/i.exec(value.trim())
  if (!match) throw new UsageError(`--size must be columns x rows, e.g. --size 8x8, got "${value}"`)
  return { columns: Number(match[1]), rows: Number(match[2]) }
}

/** The request from flags, or the exact one recorded beside an earlier grid export. */
function gridRequest(values: Values, file: string): { video: false; params: unknown } | { video: true; params: unknown } {
  const format = values.format as string | undefined
  if (format !== undefined && !['mp4', 'webm', 'gif'].includes(format)) throw new UsageError(`--format must be mp4, webm or gif, got "${format}"`)
  if (values.from) {
    const settings = ['run', 'corners', 'size', 'mode', 'scale', 'upscale', 'frames-per-cell', 'fps', 'frame-size', 'checkpoint', 'erasure'].filter(
      (k) => values[k] !== undefined
    )
    if (settings.length > 0 || values['plain-corners'])
      throw new UsageError(
        `--from renders exactly what the record says; only --out (and a video's --format) may change (not --${settings[0] ?? 'plain-corners'}).`
      )
    const source = path.resolve(String(values.from))
    const record = readExportRecord(source)
    if (record.operation !== 'grid' && record.operation !== 'grid-video')
      throw new UsageError(`${source} records a ${record.operation} export, not a latent grid.`)
    const video = record.operation === 'grid-video'
    if (format !== undefined && !video) throw new UsageError(`${source} records a grid figure (PNG); --format is for a grid's video.`)
    return { video, params: { ...record.request, out: file, overwrite: true, ...(format ? { format } : {}) } }
  }
  const corners = seedList('corners', values.corners as string | undefined, 4)
  if (corners.length !== 4) throw new UsageError(`--corners takes exactly four seeds (top-left, top-right, bottom-left, bottom-right), got ${corners.length}.`)
  const common = { run: parseRunRef(values), corners, ...gridSize(values.size as string | undefined), mode: values.mode ?? 'slerp', out: file, overwrite: true }
  const upscale = values.upscale !== undefined ? { upscale: values.upscale } : {}
  const video = format ?? VIDEO_OF_EXTENSION[path.extname(file).toLowerCase()]
  if (video === undefined) {
    if (path.extname(file).toLowerCase() !== '.png')
      throw new UsageError(`--out must end in .png (the figure) or .mp4, .webm or .gif (the sweep video), got "${file}"`)
    const scale = parseNumberOption('scale', values.scale as string | undefined)
    return { video: false, params: { ...common, ...upscale, ...(scale !== undefined ? { scale } : {}), markCorners: values['plain-corners'] !== true } }
  }
  return {
    video: true,
    params: {
      ...common,
      ...upscale,
      format: VideoFormat.parse(video),
      framesPerCell: parseIntOption('frames-per-cell', values['frames-per-cell'] as string | undefined) ?? 8,
      fps: parseIntOption('fps', values.fps as string | undefined) ?? 30,
      size: parseIntOption('frame-size', values['frame-size'] as string | undefined) ?? 512
    }
  }
}

export async function gridCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    ...RUN_OPTIONS,
    corners: { type: 'string' },
    size: { type: 'string' },
    mode: { type: 'string' },
    scale: { type: 'string' },
    upscale: { type: 'string' },
    'plain-corners': { type: 'boolean' },
    'frames-per-cell': { type: 'string' },
    fps: { type: 'string' },
    'frame-size': { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    from: { type: 'string' }
  })
  const out = makeOutput(values.json)
  if (!values.out) throw new UsageError('--out is required: grid.png for the figure, or grid.mp4 (.webm, .gif) for the sweep video.')
  const request = gridRequest(values, path.resolve(values.out))

  if (!request.video) {
    const params = parsed(ExportGridParams, request.params, 'grid options')
    return withCliStudio(values.library, parseBackend(values.backend), async (studio) => {
      const written = await studio.exports.grid(params)
      out.emit({ event: 'done', ...written })
      out.say(`Wrote the ${params.columns}×${params.rows} grid to ${written.file} (${written.width}×${written.height}); its record is ${written.sidecar}.`)
      return 0
    })
  }
  const params = parsed(ExportGridVideoParams, request.params, 'grid video options')
  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const result = await awaitJob(studio, interrupted, await studio.exports.startGridVideo(params), out)
    if (result === null) return 130
    out.emit({ event: 'done', ...result })
    out.say(
      `Wrote the ${params.columns}×${params.rows} grid's sweep: ${result.frames} frames (${result.width}×${result.height}, ${result.fps} fps, ${result.durationSeconds.toFixed(2)} s, checkpoint step ${result.step}) to ${result.file}; its record is ${result.sidecar}.`
    )
    return 0
  })
}
