import * as path from 'node:path'
import { ExportTimelapseParams } from '../../../shared/api/export'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { parseIntOption, parseNumberOption, withCliStudio, awaitJob } from '../studio-session'
import { parsed, recordedRequest } from './export-record-file'

export const exportTimelapseHelp = `dcgan-studio export timelapse --run R --out FILE [--format mp4|webm|gif] [--fps 10] [--hold 2] [--no-losses]
                              [--size N] [--from-step S] [--to-step S] [--json]
dcgan-studio export timelapse --from FILE.json --out FILE [--format …]
  The run's fixed-noise sample grids over training, one frame per grid, with the step and epoch written under
  each and a strip of the D and G losses with a cursor at the frame's step (--no-losses leaves it out); the last
  frame is held --hold seconds. --size is the width in pixels (default: the frame enlarged a whole number of
  times, to about 540). A run still training exports the grids it has; a model imported without any is refused.
  The format defaults to the extension of --out; --from renders a timelapse's record again (the same steps).
  Ctrl+C cancels and leaves nothing under the chosen name; --json prints progress lines and a final object.`

const FORMATS: Record<string, 'mp4' | 'webm' | 'gif'> = { '.mp4': 'mp4', '.m4v': 'mp4', '.webm': 'webm', '.gif': 'gif' }

function timelapseRequest(values: Record<string, string | boolean | undefined>, file: string): unknown {
  const format = values.format as string | undefined
  if (format !== undefined && !['mp4', 'webm', 'gif'].includes(format)) throw new UsageError(`--format must be mp4, webm or gif, got "${format}"`)
  if (values.from) {
    const settings = ['run', 'fps', 'hold', 'size', 'from-step', 'to-step', 'no-losses'].filter((k) => values[k] !== undefined)
    if (settings.length > 0) throw new UsageError(`--from renders exactly what the record says; only --out and --format may change (not --${settings[0]}).`)
    return { ...recordedRequest(String(values.from), 'timelapse', 'a timelapse'), out: file, overwrite: true, ...(format ? { format } : {}) }
  }
  if (!values.run) throw new UsageError('--run is required: the run whose sample grids to play (see dcgan-studio runs).')
  return {
    run: { id: values.run },
    fromStep: parseIntOption('from-step', values['from-step'] as string | undefined) ?? null,
    toStep: parseIntOption('to-step', values['to-step'] as string | undefined) ?? null,
    fps: parseIntOption('fps', values.fps as string | undefined) ?? 10,
    hold: parseNumberOption('hold', values.hold as string | undefined) ?? 2,
    losses: values['no-losses'] !== true,
    format: format ?? FORMATS[path.extname(file).toLowerCase()] ?? 'mp4',
    size: parseIntOption('size', values.size as string | undefined) ?? null,
    out: file,
    overwrite: true
  }
}

export async function exportTimelapseCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    run: { type: 'string' },
    fps: { type: 'string' },
    hold: { type: 'string' },
    'no-losses': { type: 'boolean' },
    size: { type: 'string' },
    'from-step': { type: 'string' },
    'to-step': { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    from: { type: 'string' }
  })
  const out = makeOutput(values.json)
  if (!values.out) throw new UsageError('--out is required: the file to write (timelapse.mp4, timelapse.webm or timelapse.gif).')
  const params = parsed(ExportTimelapseParams, timelapseRequest(values, path.resolve(values.out)), 'export timelapse options')

  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const result = await awaitJob(studio, interrupted, await studio.exports.startTimelapse(params), out)
    if (result === null) return 130
    out.emit({ event: 'done', what: 'timelapse', ...result })
    out.say(
      `Wrote ${result.grids} sample grids (steps ${result.firstStep}–${result.lastStep}) as ${result.frames} frames (${result.width}×${result.height}, ${result.fps} fps, ${result.durationSeconds.toFixed(2)} s) to ${result.file}; its record is ${result.sidecar}.`
    )
    return 0
  })
}
