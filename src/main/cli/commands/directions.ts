import * as path from 'node:path'
import type { z } from 'zod'
import { DEFAULT_DIRECTION_COUNT, DEFAULT_DIRECTION_LAYER, DEFAULT_DIRECTION_SAMPLES, DirectionsParams } from '../../../shared/api/directions'
import { ExportDirectionsParams } from '../../../shared/api/export'
import { writeJsonAtomic } from '../../../node/atomic-files'
import { asJson } from '../../services/directions'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { parsed, recordedRequest } from './export-record-file'
import { parseIntOption, parseNumberOption, parseRunRef, RUN_OPTIONS, withCliStudio, awaitJob } from '../studio-session'

export const directionsHelp = `dcgan-studio directions --run R [--layer ${DEFAULT_DIRECTION_LAYER}] [--samples ${DEFAULT_DIRECTION_SAMPLES}] [--top ${DEFAULT_DIRECTION_COUNT}] [--seed S]
                        [--out dirs.json] [--strip strip.png [--strip-seed S] [--strip-index I] [--range 3]
                        [--steps 7] [--components 1,2,5] [--scale 4]] [--checkpoint STEP] [--erasure ID] [--json]
dcgan-studio directions --from strip.png.json --strip again.png
  Directions without labels (GANSpace): draws --samples z (sample i of --seed), runs G up to --layer
  (g_project, g_relu0, g_relu1, …; default the first non-linear one), finds the top principal components of
  those activations and carries each back to z by linear regression. Each direction is the z offset of one
  standard deviation (σ) along its component; they are kept in the run's folder and found again at once.
  --out writes them as JSON (explained variance, vectors). --strip writes a figure: one row per component,
  a sample (--strip-seed, --strip-index) moved from −range σ to +range σ in --steps columns, drawn with
  --erasure if given; its record (strip.png.json) renders it again with --from. Ctrl+C cancels.`

/** --components 1,2,5 (1-based, as printed) → 0-based indices. */
function componentList(value: string | undefined): number[] | null {
  if (value === undefined) return null
  const picked = value.split(',').map((s) => Number(s.trim()))
  if (picked.length === 0 || picked.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new UsageError(`--components must be component numbers from 1 separated by commas, e.g. --components 1,2,5; got "${value}"`)
  }
  return picked.map((n) => n - 1)
}

export async function directionsCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    ...RUN_OPTIONS,
    layer: { type: 'string' },
    samples: { type: 'string' },
    top: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    strip: { type: 'string' },
    'strip-seed': { type: 'string' },
    'strip-index': { type: 'string' },
    range: { type: 'string' },
    steps: { type: 'string' },
    components: { type: 'string' },
    scale: { type: 'string' },
    from: { type: 'string' }
  })
  const out = makeOutput(values.json)
  const stripFile = values.strip ? path.resolve(values.strip) : null
  let strip: z.output<typeof ExportDirectionsParams> | null = null
  let params: z.output<typeof DirectionsParams>
  if (values.from) {
    const settings = [
      'run',
      'layer',
      'samples',
      'top',
      'seed',
      'strip-seed',
      'strip-index',
      'range',
      'steps',
      'components',
      'scale',
      'checkpoint',
      'erasure'
    ].filter((k) => values[k as keyof typeof values] !== undefined)
    if (settings.length > 0) throw new UsageError(`--from renders exactly what the record says; only --strip and --out may be given (not --${settings[0]}).`)
    if (!stripFile) throw new UsageError('--from needs --strip FILE.png: where to render the recorded strip again.')
    const recorded = parsed(ExportDirectionsParams, recordedRequest(values.from, 'directions', 'a directions strip'), values.from)
    strip = { ...recorded, out: stripFile, overwrite: true }
    params = parsed(DirectionsParams, { ...recorded.directions, run: { ...recorded.run, erasure: null } }, 'the recorded directions')
  } else {
    if (!values.out && !stripFile) throw new UsageError('Say where the directions go: --out dirs.json, --strip strip.png, or both.')
    const run = parseRunRef(values)
    const settings = {
      ...(values.layer !== undefined ? { layer: values.layer } : {}),
      ...(values.samples !== undefined ? { samples: parseIntOption('samples', values.samples) } : {}),
      ...(values.top !== undefined ? { top: parseIntOption('top', values.top) } : {}),
      seed: parseIntOption('seed', values.seed) ?? 0
    }
    params = parsed(DirectionsParams, { ...settings, run: { ...run, erasure: null } }, 'directions options')
    if (stripFile) {
      strip = parsed(
        ExportDirectionsParams,
        {
          run,
          directions: settings,
          z: { kind: 'seed', seed: parseIntOption('strip-seed', values['strip-seed']) ?? 0, index: parseIntOption('strip-index', values['strip-index']) ?? 0 },
          components: componentList(values.components),
          ...(values.range !== undefined ? { range: parseNumberOption('range', values.range) } : {}),
          ...(values.steps !== undefined ? { steps: parseIntOption('steps', values.steps) } : {}),
          ...(values.scale !== undefined ? { scale: parseNumberOption('scale', values.scale) } : {}),
          out: stripFile,
          overwrite: true
        },
        'directions strip options'
      )
    }
  }

  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const report = await awaitJob(studio, interrupted, await studio.directions.start(params), out)
    if (report === null) return 130
    const total = report.components.reduce((sum, c) => sum + c.explained, 0)
    out.say(
      `Top ${report.components.length} components of ${report.layer} (${report.layerShape.join('×')}) at checkpoint ${report.run.checkpointStep}, from ${report.settings.samples} samples: ${(100 * total).toFixed(1)}% of its variance.`
    )
    report.components.forEach((c, i) =>
      out.say(`  ${String(i + 1).padStart(2)}  ${(100 * c.explained).toFixed(2).padStart(6)}%   |1σ in z| ${Math.hypot(...c.vector).toFixed(3)}`)
    )
    const written: Record<string, string> = {}
    if (values.out) {
      const file = path.resolve(values.out)
      await writeJsonAtomic(file, asJson(report))
      written.directions = file
      out.say(`Wrote the directions to ${file}.`)
    }
    if (strip) {
      const figure = await studio.exports.directions(strip)
      written.strip = figure.file
      out.say(`Wrote ${figure.file} (${figure.width}×${figure.height}); its record is ${figure.sidecar}.`)
    }
    out.emit({
      event: 'done',
      layer: report.layer,
      step: report.run.checkpointStep,
      explained: report.components.map((c) => c.explained),
      files: written
    })
    return 0
  })
}
