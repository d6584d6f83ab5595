import * as fs from 'node:fs'
import * as path from 'node:path'
import type { z } from 'zod'
import { describeZodError, StudioError } from '../../../shared/api/errors'
import { PAPER_PROBE_REFERENCE, type ProbeReport, ProbeParams, type ProjectReport, ProjectParams } from '../../../shared/api/experiments'
import type { Job } from '../../../shared/api/jobs'
import { writeFileAtomic } from '../../../node/atomic-files'
import { writePng } from '../../services/image-files'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { type Output, makeOutput } from '../output'
import { parseIntOption, parseNumberOption, withCliStudio, exitCodeIfCancelled, followJob } from '../studio-session'

export const probeHelp = `dcgan-studio probe --run R --labelled DATASET_ID|DIR|IDX [--labels IDX] [--limit N] [--per-class 100]
                   [--validation-per-class N] [--test 2000] [--seed S] [--checkpoint STEP] [--json]
  The paper's linear probe (Section 5): D's features of a labelled dataset (every D conv layer's LeakyReLU
  output max-pooled to 4×4, flattened and concatenated) feed a logistic regression with an L2 penalty, its
  strength chosen on a validation split. Reports test accuracy for the run's D, for the same probe on raw
  pixels, and for a random-init D of the same architecture, beside the paper's numbers for reference.
  --labelled is a labelled dataset in the library; or a folder with one subfolder per class (the class
  names are the folder names, sorted; files outside them are skipped); or an IDX images file with --labels,
  its IDX labels file (--limit imports only the first N). A folder or IDX file is first imported into the
  library at the model's size and channels, and the id printed, to probe it again. --per-class is the
  training examples per class (the authors' SVHN script: 100); validation takes as many unless told. The
  test set is a random sample of the rest (--test, default 2000). --json ends with { accuracy,
  pixelsAccuracy, randomDAccuracy, features, … }. Ctrl+C cancels.`

export const projectHelp = `dcgan-studio project --run R --image FILE --out z.json [--starts 8] [--steps 300] [--lr 0.05] [--seed S]
                     [--reconstruction FILE.png] [--checkpoint STEP] [--json]
dcgan-studio project --run R --dataset ID --index I --out z.json [same options]
  Finds the z whose sample best matches an image: Adam from several starts (drawn from the model's noise
  distribution, kept inside its range) on the pixel mean squared error; the best start wins. The image is
  centre-cropped and resized to the model's size. Writes { z, error, errors, run, step, image } to --out;
  use the z as { "kind": "z", "z": [...] } in walks, arithmetic and exports, or paste it into the Explore
  tray. --reconstruction saves the best start's image as PNG. Ctrl+C cancels.`

export async function probeCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    run: { type: 'string' },
    checkpoint: { type: 'string' },
    labelled: { type: 'string' },
    labels: { type: 'string' },
    limit: { type: 'string' },
    'per-class': { type: 'string' },
    'validation-per-class': { type: 'string' },
    test: { type: 'string' },
    seed: { type: 'string' }
  })
  const out = makeOutput(values.json)
  if (!values.run) throw new UsageError('--run RUN is required (see "dcgan-studio runs").')
  if (!values.labelled) throw new UsageError('--labelled is required: a labelled dataset id, a folder with one subfolder per class, or an IDX images file with --labels.')
  const run = { id: values.run, step: parseIntOption('checkpoint', values.checkpoint) ?? null, erasure: null }
  const kind = pathKind(values.labelled)
  const idxFile = kind === 'file' ? path.resolve(values.labelled) : null
  const classFolder = kind === 'folder' ? path.resolve(values.labelled) : null
  if (!kind && /[\\/]|\.gz$|ubyte/.test(values.labelled)) {
    throw new UsageError(`There is no file or folder ${path.resolve(values.labelled)}. Give a labelled dataset id (see the Datasets screen), a folder of class folders or an IDX images file.`)
  }
  if (!idxFile && (values.labels || values.limit)) throw new UsageError(`--labels and --limit go with an IDX file, but "${values.labelled}" is not a file.`)
  if (idxFile && !values.labels) throw new UsageError(`${idxFile} is an images file; give its labels with --labels FILE (e.g. train-labels-idx1-ubyte.gz).`)
  const validationPerClass = parseIntOption('validation-per-class', values['validation-per-class'])
  const request = {
    run,
    datasetId: values.labelled,
    perClass: parseIntOption('per-class', values['per-class']) ?? 100,
    validationPerClass: validationPerClass ?? null,
    maxTest: parseIntOption('test', values.test) ?? 2000,
    seed: parseIntOption('seed', values.seed) ?? 0
  }
  // Checked now, so a mistyped flag fails at once rather than after an IDX import.
  checked(ProbeParams, request, 'probe options')

  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const cancelled = new AbortController()
    const jobs: Job[] = []
    void interrupted.then(() => {
      cancelled.abort()
      for (const job of jobs) void studio.jobs.cancel(job.id)
    })
    try {
      if (idxFile || classFolder) {
        const { model } = await studio.exploration.models(run)
        const limit = parseIntOption('limit', values.limit)
        // Imported at the model's size and channels, so the probe feeds D the images as they are.
        const { job, done } = studio.datasets.startImport(
          classFolder
            ? { kind: 'folder', path: classFolder, classFolders: true, size: model.imageSize, grayscale: model.channels === 1, fit: 'crop' }
            : { kind: 'idx', imagesPath: idxFile as string, labelsPath: path.resolve(values.labels as string), size: model.imageSize, ...(limit ? { limit } : {}) }
        )
        jobs.push(job)
        const off = followJob(studio, job, out)
        try {
          const { manifest } = await done
          request.datasetId = manifest.id
          const classes = manifest.labels?.names ?? null
          out.emit({ event: 'imported', datasetId: manifest.id, count: manifest.count, classes, skipped: manifest.summary.skipped + manifest.summary.duplicate })
          out.say(
            `Imported ${manifest.count} labelled images${classes ? ` in ${classes.length} classes (${classes.join(', ')})` : ''} as dataset ${manifest.id}; ` +
              `probe it again with --labelled ${manifest.id}.`
          )
        } finally {
          off()
        }
        if (cancelled.signal.aborted) throw new StudioError('cancelled', 'Cancelled.')
      }
      const { job, done } = await studio.experiments.startProbe(checked(ProbeParams, request, 'probe options'))
      jobs.push(job)
      if (cancelled.signal.aborted) void studio.jobs.cancel(job.id)
      const off = followJob(studio, job, out)
      try {
        const report = await done
        out.emit({ event: 'done', ...report, paper: PAPER_PROBE_REFERENCE })
        sayProbe(out, report)
        return 0
      } finally {
        off()
      }
    } catch (err) {
      if (err instanceof StudioError && err.code === 'cancelled') {
        out.emit({ event: 'cancelled' })
        out.say('Cancelled.')
        return 130
      }
      throw err
    }
  })
}

export async function projectCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    run: { type: 'string' },
    checkpoint: { type: 'string' },
    image: { type: 'string' },
    dataset: { type: 'string' },
    index: { type: 'string' },
    out: { type: 'string' },
    starts: { type: 'string' },
    steps: { type: 'string' },
    lr: { type: 'string' },
    seed: { type: 'string' },
    reconstruction: { type: 'string' }
  })
  const out = makeOutput(values.json)
  if (!values.run) throw new UsageError('--run RUN is required (see "dcgan-studio runs").')
  if (!values.out) throw new UsageError('--out FILE is required: where to write the z as JSON (e.g. z.json).')
  if (Boolean(values.image) === Boolean(values.dataset)) throw new UsageError('Give the image to project: either --image FILE or --dataset ID --index I.')
  const image = values.image
    ? { kind: 'file' as const, path: path.resolve(values.image) }
    : { kind: 'dataset' as const, datasetId: values.dataset as string, index: parseIntOption('index', values.index) ?? 0 }
  const params = checked(
    ProjectParams,
    {
      run: { id: values.run, step: parseIntOption('checkpoint', values.checkpoint) ?? null },
      image,
      starts: parseIntOption('starts', values.starts) ?? 8,
      steps: parseIntOption('steps', values.steps) ?? 300,
      learningRate: parseNumberOption('lr', values.lr) ?? 0.05,
      seed: parseIntOption('seed', values.seed) ?? 0
    },
    'project options'
  )
  const file = path.resolve(values.out)
  const reconstruction = values.reconstruction ? path.resolve(values.reconstruction) : null

  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const { job, done } = await studio.experiments.startProject(params)
    void interrupted.then(() => studio.jobs.cancel(job.id))
    const off = followJob(studio, job, out)
    try {
      const report = await done
      await writeFileAtomic(file, `${JSON.stringify(zFile(report), null, 2)}\n`)
      if (reconstruction) await writePng(reconstruction, report.reconstruction)
      const randomError = Math.min(...report.initialErrors)
      out.emit({ event: 'done', out: file, ...zFile(report), initialErrors: report.initialErrors, randomError, best: report.best, seconds: report.seconds, reconstruction })
      out.say(
        `Best of ${report.errors.length} starts (start ${report.best}): pixel error ${report.error.toExponential(2)} (${rmsLevels(report.error)} grey levels RMS); ` +
          `a random z scores ${randomError.toExponential(2)}. Wrote the z to ${file}${reconstruction ? ` and its image to ${reconstruction}` : ''}.`
      )
      return 0
    } catch (err) {
      return exitCodeIfCancelled(err, out)
    } finally {
      off()
    }
  })
}

/** What --out holds: the z and where it came from. `{ kind: 'z', z }` of it is a ZSpec. */
function zFile(report: ProjectReport) {
  return { z: Array.from(report.z), error: report.error, errors: report.errors, run: report.run, step: report.step, image: report.image }
}

/** Root mean squared error in 8-bit grey levels: an error of e on the [-1, 1] scale is √e · 127.5 levels. */
function rmsLevels(error: number): string {
  return (Math.sqrt(error) * 127.5).toFixed(1)
}

function sayProbe(out: Output, r: ProbeReport): void {
  const line = (label: string, score: ProbeReport['trainedD']): string =>
    `  ${label.padEnd(24)} ${`${(score.testAccuracy * 100).toFixed(1)}%`.padStart(6)}   ${score.features.toLocaleString('en-US')} features, λ = ${score.weightDecay}`
  out.say(`Linear probe of run ${r.run} (step ${r.step}) on "${r.dataset.name}": ${r.classes} classes${r.classNames ? ` (${r.classNames.join(', ')})` : ''}, ${r.counts.train} training, ${r.counts.validation} validation and ${r.counts.test} test images${r.adapted ? ` (${r.adapted})` : ''}.`)
  out.say('Test accuracy:')
  out.say(line('trained D features', r.trainedD))
  out.say(line('random-init D features', r.randomD))
  out.say(line('raw pixels', r.pixels))
  out.say(
    `For reference, the paper (other data, not comparable directly): CIFAR-10 ${(PAPER_PROBE_REFERENCE.cifar10Accuracy * 100).toFixed(1)}% with an Imagenet-trained D; ` +
      `SVHN with 1,000 labels ${(PAPER_PROBE_REFERENCE.svhn1000Error * 100).toFixed(2)}% error.`
  )
}

function checked<S extends typeof ProbeParams | typeof ProjectParams>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw new UsageError(describeZodError(result.error, what))
  return result.data as z.output<S>
}

/** What a --labelled value names on disk, or null when it is neither a file nor a folder (then: a dataset id). */
function pathKind(value: string): 'file' | 'folder' | null {
  try {
    const stat = fs.statSync(value)
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'folder' : null
  } catch {
    return null
  }
}
