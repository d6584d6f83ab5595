import * as fs from 'node:fs'
import * as path from 'node:path'
import type { z } from 'zod'
import { describeZodError } from '../../../shared/api/errors'
import { BoxesFile, ForgetFitParams } from '../../../shared/api/forget'
import type { ForgetFitReport } from '../../../shared/api/forget'
import { writeJsonAtomic } from '../../../node/atomic-files'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { callStudio, exitCodeIfCancelled, followJob, parseIntOption, parseNumberOption, parseRunRef, RUN_OPTIONS, withCliStudio } from '../studio-session'

export const forgetHelp = `dcgan-studio forget --run R --boxes FILE.json --out DIR [--layer g_reluK] [--negatives random|matched]
                    [--drop N] [--save NAME] [--compare-seed S] [--compare-count N] [--checkpoint STEP] [--json]
  Forgetting to draw (paper Fig. 6). FILE.json holds generated samples and the boxes drawn around an object
  on them (the Experiments screen saves this file):
    { "formatVersion": 1, "samples": [ { "z": { "kind": "seed", "seed": 3, "index": 0 },
                                         "boxes": [ { "x0": 0.25, "y0": 0.3, "x1": 0.75, "y1": 0.5 } ] }, … ] }
  (box corners are fractions of the image; z may also be { "kind": "z", "z": [ … ] }; a sample without
  boxes gives only negatives). A logistic regression on G's second-highest conv layer (or --layer) tells
  activations inside the boxes from random locations of the same samples (--negatives matched: the boxes'
  own places on samples without the object there, for objects that always sit in one place). The maps
  with positive weight are dropped at every location — or only the top N by weight with --drop N.
  Writes DIR/erasure.json (every map's weight, the dropped maps) and DIR/comparison.png (originals on top,
  the same samples drawn without the maps below: the boxed samples, then --compare-count fresh samples of
  --compare-seed). --save NAME keeps the erasure in the library, to use with --erasure ID in sample, walk,
  arithmetic, export and export-walk, or from the Explore screen. --json lists the dropped maps.`

/** Boxed samples shown in the comparison; the rest are still fitted on. */
const SHOWN_BOXED = 16

export async function forgetCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    ...RUN_OPTIONS,
    boxes: { type: 'string' },
    out: { type: 'string' },
    layer: { type: 'string' },
    negatives: { type: 'string' },
    drop: { type: 'string' },
    save: { type: 'string' },
    'compare-seed': { type: 'string' },
    'compare-count': { type: 'string' },
    'weight-decay': { type: 'string' }
  })
  if (values.erasure) throw new UsageError('forget fits an erasure on the model as it is; --erasure does not apply here.')
  const run = parseRunRef(values)
  if (!values.boxes) throw new UsageError('--boxes FILE.json is required: the samples and the boxes drawn on them (see --help).')
  if (!values.out) throw new UsageError('--out DIR is required: where erasure.json and comparison.png go.')
  const negatives = values.negatives ?? 'random'
  if (negatives !== 'random' && negatives !== 'matched') throw new UsageError(`--negatives must be random or matched, got "${negatives}".`)
  const drop = parseIntOption('drop', values.drop)
  if (drop !== undefined && drop < 1) throw new UsageError('--drop must be at least 1.')
  const compareCount = parseIntOption('compare-count', values['compare-count']) ?? 8
  const compareSeed = parseIntOption('compare-seed', values['compare-seed']) ?? 0
  const weightDecay = parseNumberOption('weight-decay', values['weight-decay'])
  const boxes = readBoxesFile(path.resolve(values.boxes))
  const dir = path.resolve(values.out)
  const out = makeOutput(values.json)
  // Checked before the studio starts, so a mistyped option fails at once.
  const params = ForgetFitParams.safeParse({
    run,
    samples: boxes.samples,
    layer: values.layer ?? null,
    negatives,
    ...(weightDecay !== undefined ? { weightDecay } : {})
  })
  if (!params.success) throw new UsageError(describeZodError(params.error, 'forget options'))

  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const { job, done } = await studio.forget.startFit(params.data)
    void interrupted.then(() => studio.jobs.cancel(job.id))
    const off = followJob(studio, job, out)
    let fit: ForgetFitReport
    try {
      fit = await done
    } catch (err) {
      return exitCodeIfCancelled(err, out)
    } finally {
      off()
    }
    const channels = drop === undefined ? fit.dropped : fit.maps.slice(0, drop).map((m) => m.channel)
    if (channels.length === 0) throw new UsageError('No map has a positive weight, so there is nothing to drop; draw more boxes, or choose maps with --drop N.')
    const erase = { layer: fit.layer, channels }
    const boxed = boxes.samples
      .filter((s) => s.boxes.length > 0)
      .slice(0, SHOWN_BOXED)
      .map((s) => s.z)
    const fresh = Array.from({ length: compareCount }, (_, index) => ({ kind: 'seed' as const, seed: compareSeed, index }))
    const shown = [...boxed, ...fresh]
    const saved = values.save
      ? await callStudio(studio, 'erasures.save', {
          name: values.save,
          runId: run.id,
          step: fit.step,
          erase,
          maps: fit.maps,
          fittedFrom: { samples: boxes.samples, settings: fit.settings }
        })
      : null

    await fs.promises.mkdir(dir, { recursive: true })
    // The figure records the maps it left out beside it (comparison.png.json), like every export.
    const figure = await callStudio(studio, 'export.erasure', {
      run: { id: run.id, step: fit.step, erasure: erase },
      z: shown,
      scale: 2,
      out: path.join(dir, 'comparison.png'),
      overwrite: true
    })
    const comparison = figure.file
    const erasureFile = path.join(dir, 'erasure.json')
    const dropped = fit.maps.filter((m) => channels.includes(m.channel))
    await writeJsonAtomic(erasureFile, {
      ...summary(fit),
      run: run.id,
      erase,
      dropped,
      erasureId: saved?.id ?? null,
      boxesFile: path.resolve(values.boxes as string)
    })

    out.emit({ event: 'done', ...summary(fit), dropped, erasureId: saved?.id ?? null, files: { erasure: erasureFile, comparison } })
    out.say(
      `Fitted on ${fit.positives} locations inside the boxes and ${fit.negatives} outside (accuracy ${(fit.accuracy * 100).toFixed(1)}%) at ${fit.layer} ` +
        `of checkpoint ${fit.step}. Dropping ${channels.length} of ${fit.shape[2]} maps: ${channels.join(', ')}.`
    )
    out.say(`Wrote ${comparison} (originals on top, without the maps below) and ${erasureFile}.`)
    if (saved) out.say(`Saved as erasure ${saved.id}; use it with --erasure ${saved.id}.`)
    return 0
  })
}

function summary(fit: ForgetFitReport) {
  return { step: fit.step, layer: fit.layer, shape: fit.shape, positives: fit.positives, negatives: fit.negatives, accuracy: fit.accuracy, maps: fit.maps }
}

/** The boxes file, validated: z vectors given as arrays become Float32Arrays, as the API carries them. */
function readBoxesFile(file: string): z.output<typeof BoxesFile> {
  let json: unknown
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UsageError(`Cannot read the boxes file ${file}: ${(error as Error).message}`)
  }
  const parsed = BoxesFile.safeParse(json)
  if (!parsed.success) throw new UsageError(describeZodError(parsed.error, file))
  return parsed.data
}
