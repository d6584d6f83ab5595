import * as fs from 'node:fs'
import * as path from 'node:path'
import type { z } from 'zod'
import { describeZodError, StudioError } from '../../../shared/api/errors'
import { ImportRequest } from '../../../shared/api/datasets'
import {
  PAPER_PROBE_REFERENCE,
  PROBE_PROTOCOLS,
  type ProbeProtocolName,
  ProbeProtocolName as ProtocolName,
  type ProbeReport,
  ProbeParams,
  type ProjectReport,
  ProjectParams,
  type ProtocolProbeReport,
  ProtocolProbeParams
} from '../../../shared/api/experiments'
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
  pixelsAccuracy, randomDAccuracy, features, … }. Ctrl+C cancels.

dcgan-studio probe --protocol cifar10|svhn --run R (--data PATH | --labelled TRAIN_ID --test-set TEST_ID)
                   [--per-class N] [--validation N] [--draws N] [--test-draws N] [--seed S] [--checkpoint STEP] [--json]
  The paper's own probe experiments, with the paper's number printed beside ours: an L2-SVM (LinearSVC's
  squared hinge, one-vs-rest) on the trained D's features, C chosen from 1e-4 … 1e-2 on a validation split
  of the training set, scored on the test set.
    cifar10 (Table 1): 5,000 validation images; the SVM trains on as many of the other training images as
      memory allows; one fit, scored on the 10,000 test images. --data is the cifar-10-batches-bin folder.
    svhn (Table 2): 1,000 labels (100 per class), 10,000 validation images, 10 random label draws per C to
      choose it, then 100 fresh draws scored on the test set: mean ± 1.96σ of the test error, as the authors'
      script. --data is the folder holding train_32x32.mat and test_32x32.mat.
  --data imports the training and test sets into the library first (their ids are printed, to pass as
  --labelled and --test-set next time). --per-class, --validation, --draws and --test-draws override the
  preset for a quicker look; the report lists every departure. With the authors' SVHN D imported
  (import-model), the svhn protocol is the paper's own experiment. --json ends with { testError,
  testAccuracy, chosenC, validation, paper, … }.`

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
    seed: { type: 'string' },
    protocol: { type: 'string' },
    data: { type: 'string' },
    'test-set': { type: 'string' },
    validation: { type: 'string' },
    draws: { type: 'string' },
    'test-draws': { type: 'string' }
  })
  const out = makeOutput(values.json)
  if (!values.run) throw new UsageError('--run RUN is required (see "dcgan-studio runs").')
  if (values.protocol !== undefined) return protocolProbe(values, out)
  for (const flag of ['data', 'test-set', 'validation', 'draws', 'test-draws'] as const) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --protocol cifar10|svhn.`)
  }
  if (!values.labelled)
    throw new UsageError('--labelled is required: a labelled dataset id, a folder with one subfolder per class, or an IDX images file with --labels.')
  const run = { id: values.run, step: parseIntOption('checkpoint', values.checkpoint) ?? null, erasure: null }
  const kind = pathKind(values.labelled)
  const idxFile = kind === 'file' ? path.resolve(values.labelled) : null
  const classFolder = kind === 'folder' ? path.resolve(values.labelled) : null
  if (!kind && /[\\/]|\.gz$|ubyte/.test(values.labelled)) {
    throw new UsageError(
      `There is no file or folder ${path.resolve(values.labelled)}. Give a labelled dataset id (see the Datasets screen), a folder of class folders or an IDX images file.`
    )
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
            : {
                kind: 'idx',
                imagesPath: idxFile as string,
                labelsPath: path.resolve(values.labels as string),
                size: model.imageSize,
                ...(limit ? { limit } : {})
              }
        )
        jobs.push(job)
        const off = followJob(studio, job, out)
        try {
          const { manifest } = await done
          request.datasetId = manifest.id
          const classes = manifest.labels?.names ?? null
          out.emit({
            event: 'imported',
            datasetId: manifest.id,
            count: manifest.count,
            classes,
            skipped: manifest.summary.skipped + manifest.summary.duplicate
          })
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

type ProbeValues = Partial<
  Record<
    | 'run'
    | 'checkpoint'
    | 'labelled'
    | 'labels'
    | 'limit'
    | 'per-class'
    | 'validation-per-class'
    | 'test'
    | 'seed'
    | 'protocol'
    | 'data'
    | 'test-set'
    | 'validation'
    | 'draws'
    | 'test-draws'
    | 'library'
    | 'backend',
    string
  >
>

/** `probe --protocol`: the paper's CIFAR-10 or SVHN experiment, importing the data first when given as files. */
async function protocolProbe(values: ProbeValues, out: Output): Promise<number> {
  const name = ProtocolName.safeParse(values.protocol)
  if (!name.success) throw new UsageError(`--protocol must be cifar10 or svhn (got "${values.protocol}").`)
  const protocol = name.data
  for (const flag of ['labels', 'limit', 'validation-per-class', 'test'] as const) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} is not an option of --protocol; the preset fixes the split (see dcgan-studio help probe).`)
  }
  if (Boolean(values.data) === Boolean(values.labelled || values['test-set'])) {
    throw new UsageError(
      `Give the data either as --data PATH (${protocol === 'cifar10' ? 'the cifar-10-batches-bin folder' : 'the folder holding train_32x32.mat and test_32x32.mat'}) or as --labelled TRAIN_ID --test-set TEST_ID.`
    )
  }
  if (!values.data && !(values.labelled && values['test-set'])) throw new UsageError('--labelled TRAIN_ID and --test-set TEST_ID go together.')
  const option = (flag: 'per-class' | 'validation' | 'draws' | 'test-draws'): { [k: string]: number } => {
    const value = parseIntOption(flag, values[flag])
    return value === undefined
      ? {}
      : { [{ 'per-class': 'perClass', validation: 'validation', draws: 'selectionDraws', 'test-draws': 'testDraws' }[flag]]: value }
  }
  const request = {
    run: { id: values.run as string, step: parseIntOption('checkpoint', values.checkpoint) ?? null, erasure: null },
    protocol,
    trainDatasetId: values.labelled ?? 'imported',
    testDatasetId: values['test-set'] ?? 'imported-test',
    ...option('per-class'),
    ...option('validation'),
    ...option('draws'),
    ...option('test-draws'),
    seed: parseIntOption('seed', values.seed) ?? 0
  }
  const checkedRequest = (): z.output<typeof ProtocolProbeParams> => {
    const parsed = ProtocolProbeParams.safeParse(request)
    if (!parsed.success) throw new UsageError(describeZodError(parsed.error, 'probe options'))
    return parsed.data
  }
  checkedRequest()
  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const jobs: Job[] = []
    const cancelled = new AbortController()
    void interrupted.then(() => {
      cancelled.abort()
      for (const job of jobs) void studio.jobs.cancel(job.id)
    })
    try {
      if (values.data) {
        for (const [key, source] of protocolSources(protocol, path.resolve(values.data))) {
          const { job, done } = studio.datasets.startImport(ImportRequest.parse(source))
          jobs.push(job)
          const off = followJob(studio, job, out)
          try {
            const { manifest } = await done
            request[key] = manifest.id
            out.emit({ event: 'imported', datasetId: manifest.id, name: manifest.name, count: manifest.count })
            out.say(`Imported "${manifest.name}" (${manifest.count.toLocaleString('en-US')} images) as dataset ${manifest.id}.`)
          } finally {
            off()
          }
          if (cancelled.signal.aborted) throw new StudioError('cancelled', 'Cancelled.')
        }
        out.say(`Next time: --labelled ${request.trainDatasetId} --test-set ${request.testDatasetId}.`)
      }
      const { job, done } = await studio.experiments.startProtocolProbe(checkedRequest())
      jobs.push(job)
      if (cancelled.signal.aborted) void studio.jobs.cancel(job.id)
      const off = followJob(studio, job, out)
      try {
        const report = await done
        out.emit({ event: 'done', ...report })
        sayProtocol(out, report)
        return 0
      } finally {
        off()
      }
    } catch (err) {
      return exitCodeIfCancelled(err, out)
    }
  })
}

/** What --data names for each protocol: the import of its training set and of its test set. */
function protocolSources(protocol: ProbeProtocolName, data: string): ['trainDatasetId' | 'testDatasetId', unknown][] {
  if (protocol === 'cifar10') {
    return [
      ['trainDatasetId', { kind: 'cifar', paths: [data], split: 'train', variant: 'cifar10' }],
      ['testDatasetId', { kind: 'cifar', paths: [data], split: 'test', variant: 'cifar10' }]
    ]
  }
  if (!fs.statSync(data, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--data for the svhn protocol is the folder holding train_32x32.mat and test_32x32.mat; ${data} is not a folder.`)
  }
  return [
    ['trainDatasetId', { kind: 'svhn', path: path.join(data, 'train_32x32.mat') }],
    ['testDatasetId', { kind: 'svhn', path: path.join(data, 'test_32x32.mat') }]
  ]
}

function sayProtocol(out: Output, r: ProtocolProbeReport): void {
  const preset = PROBE_PROTOCOLS[r.protocol]
  const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)}%`
  const pm = (s: { mean: number; halfWidth: number }, draws: number): string => (draws > 1 ? `${pct(s.mean)} ± ${(s.halfWidth * 100).toFixed(2)}` : pct(s.mean))
  out.say(
    `${preset.title} probe of run ${r.run} (step ${r.step}): an L2-SVM on D's ${r.features.toLocaleString('en-US')} features${r.adapted ? ` (images ${r.adapted})` : ''}.`
  )
  out.say(
    `  Training set "${r.train.name}": ${r.counts.validation.toLocaleString('en-US')} validation images; each draw takes ${r.counts.perDraw.toLocaleString('en-US')} ` +
      `labelled images from the other ${r.counts.pool.toLocaleString('en-US')}. Test set "${r.test.name}": ${r.counts.test.toLocaleString('en-US')} images, ${r.classes} classes.`
  )
  out.say(`  Validation accuracy by C (${r.draws.selection > 1 ? `mean ± 1.96σ over ${r.draws.selection} draws` : 'one draw'}):`)
  for (const v of r.validation) out.say(`    C = ${String(v.c).padEnd(7)} ${pm(v.accuracy, r.draws.selection)}${v.c === r.chosenC ? '   ← chosen' : ''}`)
  const ours = r.paper.metric === 'error' ? r.testError : r.testAccuracy
  const what = r.paper.metric === 'error' ? 'Test error' : 'Test accuracy'
  out.say(`  ${what}${r.draws.test > 1 ? ` over ${r.draws.test} draws (mean ± 1.96σ)` : ''}: ours ${pm(ours, r.draws.test)}   the paper: ${r.paper.text}.`)
  if (r.departures.length > 0) out.say(`  Departs from the preset: ${r.departures.join('; ')}.`)
  out.say(`  ${preset.notes}`)
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
      out.emit({
        event: 'done',
        out: file,
        ...zFile(report),
        initialErrors: report.initialErrors,
        randomError,
        best: report.best,
        seconds: report.seconds,
        reconstruction
      })
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
  out.say(
    `Linear probe of run ${r.run} (step ${r.step}) on "${r.dataset.name}": ${r.classes} classes${r.classNames ? ` (${r.classNames.join(', ')})` : ''}, ${r.counts.train} training, ${r.counts.validation} validation and ${r.counts.test} test images${r.adapted ? ` (${r.adapted})` : ''}.`
  )
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
