import * as path from 'node:path'
import {
  ExportArithmeticParams,
  ExportConceptParams,
  ExportErasureParams,
  ExportImageParams,
  ExportSamplesParams,
  ExportVectorsParams,
  ExportWalkParams,
  type ExportedFile,
  VideoFormat
} from '../../../shared/api/export'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { parsed, recordedRequest } from './export-record-file'
import { exportTimelapseCommand, exportTimelapseHelp } from './export-timelapse'
import { parseIntOption, parseNumberOption, parseRunRef, RUN_OPTIONS, withCliStudio, awaitJob } from '../studio-session'

export const exportWalkHelp = `dcgan-studio export-walk --run R --seeds 1,2,3,1 [--seeds 4,5,6,4 …] --out FILE|DIR
                        [--format mp4|webm|gif|png] [--steps 30 | --duration SECONDS] [--fps 30] [--size 512]
                        [--mode lerp|slerp] [--easing linear|ease-in-out|ease-in|ease-out] [--loop]
                        [--upscale nearest|lanczos] [--columns N] [--checkpoint STEP] [--erasure ID] [--json]
dcgan-studio export-walk --from FILE.json --out FILE|DIR [--format …]
  A latent walk through the samples the seeds name, as an MP4 (H.264), WebM (VP9), GIF (optimised palette)
  or a folder of PNG frames (frame-0000.png …). --steps is frames from one keyframe to the next (default 30);
  --duration sets the total length instead. --size is each walk's side in pixels (default 512), enlarged
  from the generated images with nearest (crisp pixels, the default) or lanczos (smooth). --loop returns to
  the first keyframe without repeating a frame, for seamless loops. Repeat --seeds for several walks side by
  side in one video. The format defaults to the extension of --out (else mp4).
  Every export gets a record of where it came from (FILE.json beside it, or DIR/export.json); --from renders
  such a record again, exactly. An existing file is replaced; a folder only if it holds an earlier frame export.
  Ctrl+C cancels and leaves nothing under the chosen name. --json prints progress lines and a final object.`

export const exportHelp = `dcgan-studio export samples --run R [--seed S] [--count 64] [--columns C] [--scale 4] [--upscale nearest|lanczos] --out grid.png
dcgan-studio export image --run R --seed S [--index I] [--scale 8] [--upscale nearest|lanczos] --out sample.png
dcgan-studio export arithmetic --run R --a 1,2,3 --b 4,5,6 --c 7,8,9 [--noise 0.25] [--neighbours 8] [--seed S]
                                [--no-pixel-space] [--scale 4] --out figure.png
dcgan-studio export erasure --run R --erasure ID --seeds 1,2,3 [--scale 4] --out figure.png
dcgan-studio export vectors --run R --seeds 1,2,3 --out z.json
dcgan-studio export concept ID --out concept.json
  PNG figures at a chosen scale, each with a record beside it (FILE.png.json: run, checkpoint, seeds and z,
  settings) so it can be made again; "arithmetic" lays out the paper's Fig. 7 (exemplar columns, their means,
  the result in its noise fan, and the same arithmetic on pixels below); "erasure" puts the seeds' samples over
  the same samples drawn without a saved erasure's maps (paper Fig. 6). "vectors" and "concept" write JSON.
  All take [--checkpoint STEP] [--erasure ID] [--json]; an existing file is replaced. --erasure draws
  without the maps of an erasure saved by "dcgan-studio forget --save" (its checkpoint).
${exportTimelapseHelp}`

// .png maps to PNG frames so that the export explains that frames go into a folder.
const FORMAT_OF_EXTENSION: Record<string, 'mp4' | 'webm' | 'gif' | 'png'> = { '.mp4': 'mp4', '.m4v': 'mp4', '.webm': 'webm', '.gif': 'gif', '.png': 'png' }

export function seedList(name: string, value: string | undefined, min: number): { kind: 'seed'; seed: number; index: number }[] {
  if (!value) throw new UsageError(`--${name} needs a comma-separated list of seeds, e.g. --${name} 1,2,3`)
  const seeds = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number)
  if (seeds.length < min || seeds.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new UsageError(`--${name} must be ${min > 1 ? `at least ${min} ` : ''}whole numbers ≥ 0 separated by commas, got "${value}"`)
  }
  return seeds.map((seed) => ({ kind: 'seed', seed, index: 0 }))
}

/** A walk from seeds and flags, or the exact request recorded beside an earlier export. */
function walkRequest(values: Record<string, string | boolean | string[] | undefined>, file: string): unknown {
  const format = values.format as string | undefined
  if (format !== undefined && !VideoFormat.safeParse(format).success) throw new UsageError(`--format must be mp4, webm, gif or png, got "${format}"`)
  if (values.from) {
    const settings = ['run', 'seeds', 'steps', 'duration', 'fps', 'size', 'mode', 'easing', 'upscale', 'columns', 'checkpoint'].filter(
      (k) => values[k] !== undefined
    )
    if (settings.length > 0 || values.loop)
      throw new UsageError(`--from renders exactly what the record says; only --out and --format may change (not --${settings[0] ?? 'loop'}).`)
    const request = recordedRequest(String(values.from), 'walk', 'a walk')
    return { ...request, out: file, overwrite: true, ...(format ? { format } : {}) }
  }
  const walks = ((values.seeds as string[] | undefined) ?? []).map((list) => seedList('seeds', list, 2))
  if (walks.length === 0) throw new UsageError('--seeds is required: the keyframes of the walk, e.g. --seeds 1,2,3,1')
  const steps = parseIntOption('steps', values.steps as string | undefined)
  const duration = parseNumberOption('duration', values.duration as string | undefined)
  if (steps !== undefined && duration !== undefined) throw new UsageError('Give either --steps (frames per segment) or --duration (seconds), not both.')
  const columns = parseIntOption('columns', values.columns as string | undefined)
  return {
    run: parseRunRef(values),
    walks,
    ...(columns !== undefined ? { columns } : {}),
    mode: values.mode ?? 'slerp',
    easing: values.easing ?? 'linear',
    loop: values.loop === true,
    timing: duration !== undefined ? { kind: 'duration', seconds: duration } : { kind: 'frames-per-segment', frames: steps ?? 30 },
    fps: parseIntOption('fps', values.fps as string | undefined) ?? 30,
    format: format ?? FORMAT_OF_EXTENSION[path.extname(file).toLowerCase()] ?? 'mp4',
    size: parseIntOption('size', values.size as string | undefined) ?? 512,
    upscale: values.upscale ?? 'nearest',
    out: file,
    overwrite: true
  }
}

export async function exportWalkCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    ...RUN_OPTIONS,
    seeds: { type: 'string', multiple: true },
    steps: { type: 'string' },
    duration: { type: 'string' },
    fps: { type: 'string' },
    size: { type: 'string' },
    mode: { type: 'string' },
    easing: { type: 'string' },
    loop: { type: 'boolean' },
    format: { type: 'string' },
    upscale: { type: 'string' },
    columns: { type: 'string' },
    out: { type: 'string' },
    from: { type: 'string' }
  })
  const out = makeOutput(values.json)
  if (!values.out) throw new UsageError('--out is required: a file (walk.mp4, walk.webm, walk.gif) or, for --format png, a folder.')
  const params = parsed(ExportWalkParams, walkRequest(values, path.resolve(values.out)), 'export-walk options')

  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const result = await awaitJob(studio, interrupted, await studio.exports.startWalk(params), out)
    if (result === null) return 130
    out.emit({ event: 'done', ...result })
    out.say(
      `Wrote ${result.frames} frames (${result.width}×${result.height}, ${result.fps} fps, ${result.durationSeconds.toFixed(2)} s, checkpoint step ${result.step}) to ${result.file}; its record is ${result.sidecar}.`
    )
    return 0
  })
}

export async function exportCommand(argv: string[]): Promise<number> {
  // A timelapse is a job with options of its own (like export-walk), so it has its own parser.
  if (argv[0] === 'timelapse') return exportTimelapseCommand(argv.slice(1))
  const { values, positionals } = parseVerbArgs(
    argv,
    {
      ...RUN_OPTIONS,
      seed: { type: 'string' },
      index: { type: 'string' },
      count: { type: 'string' },
      columns: { type: 'string' },
      seeds: { type: 'string' },
      a: { type: 'string' },
      b: { type: 'string' },
      c: { type: 'string' },
      noise: { type: 'string' },
      neighbours: { type: 'string' },
      'no-pixel-space': { type: 'boolean' },
      scale: { type: 'string' },
      upscale: { type: 'string' },
      out: { type: 'string' }
    },
    true
  )
  const [what, ...rest] = positionals
  const out = makeOutput(values.json)
  if (!values.out) throw new UsageError('--out FILE is required.')
  const file = path.resolve(values.out)
  const image = {
    ...(values.scale !== undefined ? { scale: parseNumberOption('scale', values.scale) } : {}),
    ...(values.upscale !== undefined ? { upscale: values.upscale } : {}),
    out: file,
    overwrite: true
  }
  // "concept" takes the concept's id after it; the other kinds take nothing more.
  const extra = rest.slice(what === 'concept' ? 1 : 0)
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`)

  return withCliStudio(values.library, parseBackend(values.backend), async (studio) => {
    let written: ExportedFile
    switch (what) {
      case 'samples':
        written = await studio.exports.samples(
          parsed(
            ExportSamplesParams,
            {
              run: parseRunRef(values),
              seed: parseIntOption('seed', values.seed) ?? 0,
              count: parseIntOption('count', values.count) ?? 64,
              columns: parseIntOption('columns', values.columns) ?? null,
              ...image
            },
            'export samples options'
          )
        )
        break
      case 'image':
        written = await studio.exports.image(
          parsed(
            ExportImageParams,
            {
              run: parseRunRef(values),
              z: { kind: 'seed', seed: parseIntOption('seed', values.seed) ?? 0, index: parseIntOption('index', values.index) ?? 0 },
              ...image
            },
            'export image options'
          )
        )
        break
      case 'arithmetic':
        written = await studio.exports.arithmetic(
          parsed(
            ExportArithmeticParams,
            {
              run: parseRunRef(values),
              a: seedList('a', values.a, 1),
              b: seedList('b', values.b, 1),
              c: seedList('c', values.c, 1),
              noise: parseNumberOption('noise', values.noise) ?? 0.25,
              neighbours: parseIntOption('neighbours', values.neighbours) ?? 8,
              seed: parseIntOption('seed', values.seed) ?? 0,
              pixelSpace: values['no-pixel-space'] !== true,
              ...image
            },
            'export arithmetic options'
          )
        )
        break
      case 'erasure':
        written = await studio.exports.erasure(
          parsed(
            ExportErasureParams,
            { run: parseRunRef(values), z: seedList('seeds', values.seeds, 1), ...image },
            'export erasure options (--erasure ID is required)'
          )
        )
        break
      case 'vectors':
        written = await studio.exports.vectors(
          parsed(ExportVectorsParams, { run: parseRunRef(values), z: seedList('seeds', values.seeds, 1), out: file, overwrite: true }, 'export vectors options')
        )
        break
      case 'concept': {
        const id = positionals[1]
        if (!id) throw new UsageError('Name the concept to export: dcgan-studio export concept ID --out concept.json (see the Explore screen or concepts/).')
        written = await studio.exports.concept(parsed(ExportConceptParams, { id, out: file, overwrite: true }, 'export concept options'))
        break
      }
      default:
        throw new UsageError(`Export what? Choose samples, image, arithmetic, erasure, vectors, concept or timelapse${what ? `, not "${what}"` : ''}.`)
    }
    out.emit({ event: 'done', what, ...written })
    out.say(
      `Wrote ${written.file}${written.width ? ` (${written.width}×${written.height})` : ''}${written.sidecar ? `; its record is ${written.sidecar}` : ''}.`
    )
    return 0
  })
}
