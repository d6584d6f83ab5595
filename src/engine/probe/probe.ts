import * as tf from '@tensorflow/tfjs'
import { DatasetFileError, type OpenedDataset, openDataset } from '../../node/dataset-files'
import type { EngineProbeParams, ProbeResult, ProbeScore } from '../../shared/api/experiments'
import type { ModelSource } from '../../shared/api/explore'
import { StudioError } from '../../shared/api/errors'
import type { ModelConfig } from '../../shared/formats/model'
import { discriminatorFeatures } from '../explore/embed'
import { describeDiscriminator } from '../model'
import type { ModelCache } from '../explore/models'
import { stopIfCancelled } from './cancel'
import {
  countCorrect,
  disposeModel,
  type Examples,
  type FittedModel,
  fitStandardiser,
  LinearFitter,
  type LinearModel,
  standardise,
  type Standardiser
} from './classifier'
import { extractFeatures, type FeatureFn, adaptation, featureChunks } from './features'
import { type ProbeSplit, splitByClass } from './split'

/**
 * The paper's linear probe (Section 5): how well a linear classifier separates a labelled dataset's classes
 * given D's features — every LeakyReLU output max-pooled to 4×4, flattened and concatenated — against the
 * same probe on raw pixels and on a random-init D of the same architecture. For each representation: features
 * of the training and validation images, a fit for every weight decay (chosen on validation), then the test
 * images streamed through in chunks, so memory holds the training and validation features and one chunk.
 */

export interface ProbeContext {
  signal?: AbortSignal
  progress?(fraction: number, message: string): void
}

interface Representation {
  key: 'trainedD' | 'randomD' | 'pixels'
  label: string
  represent: FeatureFn
}

export async function probe(models: ModelCache, params: EngineProbeParams, ctx: ProbeContext = {}): Promise<ProbeResult> {
  const started = performance.now()
  const dataset = await openProbeDataset(params.datasetDir)
  try {
    const model = params.models.model
    const split = labelledSplit(dataset, params)
    checkMemory(split, model)
    const randomSource: ModelSource = { kind: 'untrained', model, weightSeed: params.randomSeed }
    return await models.use(params.models, (pair) =>
      models.use(randomSource, async (randomPair) => {
        const trained = await pair.network('D')
        const random = await randomPair.network('D')
        const representations: Representation[] = [
          { key: 'trainedD', label: 'Trained D', represent: (x) => discriminatorFeatures(trained, x) },
          { key: 'randomD', label: 'Random-init D', represent: (x) => discriminatorFeatures(random, x) },
          { key: 'pixels', label: 'Pixels', represent: (x) => x.reshape([x.shape[0], -1]) }
        ]
        const scores: Partial<Record<Representation['key'], ProbeScore>> = {}
        for (const [i, representation] of representations.entries()) {
          const report = (fraction: number, message: string): void =>
            ctx.progress?.((i + fraction) / representations.length, `${representation.label}: ${message}`)
          scores[representation.key] = await probeRepresentation(dataset, split, model, representation.represent, params, { signal: ctx.signal, report })
        }
        return {
          trainedD: scores.trainedD as ProbeScore,
          randomD: scores.randomD as ProbeScore,
          pixels: scores.pixels as ProbeScore,
          classes: split.classList.length,
          classNames: classNames(dataset, split),
          counts: { train: split.train.length, validation: split.validation.length, test: split.test.length },
          adapted: adaptation(dataset, model),
          seconds: (performance.now() - started) / 1000
        }
      })
    )
  } finally {
    dataset.close()
  }
}

export async function openProbeDataset(dir: string): Promise<OpenedDataset> {
  try {
    return await openDataset(dir)
  } catch (error) {
    if (error instanceof DatasetFileError) throw new StudioError('io_error', error.message, { file: error.file })
    throw error
  }
}

/** The split, with every image's class number (its label's position among the labels present). */
interface LabelledSplit extends ProbeSplit {
  classOf: Int32Array
}

function labelledSplit(dataset: OpenedDataset, params: EngineProbeParams): LabelledSplit {
  const { manifest } = dataset
  if (!manifest.labels) {
    throw new StudioError(
      'bad_request',
      `The dataset "${manifest.name}" has no labels. A probe needs one label per image: import a folder with one subfolder per class ` +
        `(--class-folders), or an IDX file with its labels file (--labels).`
    )
  }
  const labels = dataset.readLabels(0, manifest.count)
  const split = splitByClass(labels, params.perClass, params.validationPerClass, params.maxTest, params.seed, manifest.labels.names)
  const position = new Map(split.classList.map((label, k) => [label, k]))
  return { ...split, classOf: Int32Array.from(labels, (label) => position.get(label) as number) }
}

/** The names of the classes present, in class order, when the dataset names its labels. */
function classNames(dataset: OpenedDataset, split: ProbeSplit): string[] | null {
  const names = dataset.manifest.labels?.names
  return names ? split.classList.map((label) => names[label] ?? String(label)) : null
}

/** Training and validation features are held in memory (twice while they become tensors); keep that sane. */
export const MAX_FEATURE_BYTES = 1024 ** 3

function checkMemory(split: ProbeSplit, model: ModelConfig): void {
  const examples = split.train.length + split.validation.length
  const dims = Math.max(discriminatorFeatureCount(model), model.imageSize * model.imageSize * model.channels)
  const bytes = 2 * examples * dims * 4
  if (bytes > MAX_FEATURE_BYTES) {
    const perClass = Math.floor(MAX_FEATURE_BYTES / (2 * dims * 4 * split.classList.length * 2))
    throw new StudioError(
      'bad_request',
      `${examples.toLocaleString('en-US')} training and validation images of ${dims.toLocaleString('en-US')} features would need ${(bytes / 1024 ** 3).toFixed(1)} GiB. ` +
        `Use at most about ${perClass} examples per class for this model.`
    )
  }
}

/** D's feature count without building D: 16 cells (4×4) per channel of every LeakyReLU. */
export function discriminatorFeatureCount(model: ModelConfig): number {
  return describeDiscriminator(model)
    .filter((spec) => spec.kind === 'leakyRelu')
    .reduce((sum, spec) => sum + 16 * (spec.outputShape[2] as number), 0)
}

interface Step {
  signal?: AbortSignal | undefined
  report(fraction: number, message: string): void
}

/** Share of one representation's progress spent on training/validation features, on fitting, and on testing. */
const PHASES = { features: 0.3, fit: 0.4 } as const

async function probeRepresentation(
  dataset: OpenedDataset,
  split: LabelledSplit,
  model: ModelConfig,
  represent: FeatureFn,
  params: EngineProbeParams,
  step: Step
): Promise<ProbeScore> {
  const labelsOf = (indices: Int32Array): tf.Tensor1D =>
    tf.tensor1d(
      Array.from(indices, (i) => split.classOf[i] as number),
      'int32'
    )
  const known = split.train.length + split.validation.length
  const features = async (indices: Int32Array, before: number): Promise<{ values: Float32Array; dims: number }> =>
    extractFeatures(dataset, indices, model, represent, {
      signal: step.signal,
      onChunk: (done) => step.report((PHASES.features * (before + done)) / known, `features of ${before + done} of ${known} training and validation images`)
    })
  const train = await features(split.train, 0)
  const validation = await features(split.validation, split.train.length)

  const tensors: tf.Tensor[] = []
  const keep = <T extends tf.Tensor>(t: T): T => {
    tensors.push(t)
    return t
  }
  // Fitted models still held: the best so far and the last one (the next fit's starting point).
  const live = new Set<FittedModel>()
  const release = (m: FittedModel | null): void => {
    if (m && live.delete(m)) disposeModel(m)
  }
  let fitter: LinearFitter | null = null
  try {
    const rawTrain = tf.tensor2d(train.values, [split.train.length, train.dims])
    let standardiser: Standardiser
    let trainX: tf.Tensor2D
    try {
      standardiser = await fitStandardiser(rawTrain)
      keep(standardiser.mean)
      keep(standardiser.scale)
      trainX = keep(standardise(rawTrain, standardiser))
    } finally {
      rawTrain.dispose()
    }
    const trainSet: Examples = { x: trainX, labels: keep(labelsOf(split.train)) }
    const validationSet: Examples = {
      x: keep(tf.tidy(() => standardise(tf.tensor2d(validation.values, [split.validation.length, validation.dims]), standardiser))),
      labels: keep(labelsOf(split.validation))
    }
    fitter = await LinearFitter.create(trainSet, split.classList.length)
    const tried: ProbeScore['validation'] = []
    let best: { model: FittedModel; accuracy: number; weightDecay: number } | null = null
    let previous: FittedModel | null = null
    // Strongest penalty first: each fit starts from the last one's solution, which is close to its own.
    const decays = [...params.weightDecays].sort((a, b) => b - a)
    for (const [i, weightDecay] of decays.entries()) {
      const fitted = await fitter.fit({ weightDecay, iterations: params.iterations, signal: step.signal, ...(previous ? { from: previous } : {}) })
      live.add(fitted)
      if (previous !== best?.model) release(previous)
      previous = fitted
      const accuracy = (await countCorrect(fitted, validationSet)) / split.validation.length
      tried.push({ weightDecay, accuracy })
      // Ties keep the stronger penalty (found first): the simpler model.
      if (!best || accuracy > best.accuracy) {
        if (best && best.model !== previous) release(best.model)
        best = { model: fitted, accuracy, weightDecay }
      }
      step.report(PHASES.features + (PHASES.fit * (i + 1)) / decays.length, `fitted λ = ${weightDecay} (validation accuracy ${(accuracy * 100).toFixed(1)}%)`)
    }
    if (!best) throw new Error('the probe tried no weight decay')
    const trainAccuracy = (await countCorrect(best.model, trainSet)) / split.train.length
    const testAccuracy = await streamedAccuracy(dataset, split, model, represent, best.model, standardiser, labelsOf, step)
    return { features: train.dims, weightDecay: best.weightDecay, validation: tried, trainAccuracy, testAccuracy }
  } finally {
    for (const m of [...live]) release(m)
    fitter?.dispose()
    tf.dispose(tensors)
  }
}

/** Test accuracy with the test images' features made and classified one chunk at a time. */
async function streamedAccuracy(
  dataset: OpenedDataset,
  split: LabelledSplit,
  model: ModelConfig,
  represent: FeatureFn,
  classifier: LinearModel,
  standardiser: Standardiser,
  labelsOf: (indices: Int32Array) => tf.Tensor1D,
  step: Step
): Promise<number> {
  let correct = 0
  const total = split.test.length
  for (const { start, features } of featureChunks(dataset, split.test, model, represent, step.signal)) {
    const chunk = split.test.subarray(start, start + features.shape[0])
    const examples: Examples = { x: tf.tidy(() => standardise(features, standardiser)), labels: labelsOf(chunk) }
    features.dispose()
    try {
      correct += await countCorrect(classifier, examples)
    } finally {
      tf.dispose([examples.x, examples.labels])
    }
    const done = start + chunk.length
    step.report(PHASES.features + PHASES.fit + ((1 - PHASES.features - PHASES.fit) * done) / total, `tested ${done} of ${total} images`)
  }
  stopIfCancelled(step.signal)
  return correct / total
}
