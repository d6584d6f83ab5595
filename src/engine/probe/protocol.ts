import * as tf from '@tensorflow/tfjs'
import type { OpenedDataset } from '../../node/dataset-files'
import { StudioError } from '../../shared/api/errors'
import type { DrawStat, EngineProtocolProbeParams, ProtocolProbeResult } from '../../shared/api/experiments'
import { Rng, shuffleInPlace } from '../../shared/latent/random'
import type { ModelConfig } from '../../shared/formats/model'
import { discriminatorFeatures } from '../explore/embed'
import type { ModelCache } from '../explore/models'
import { stopIfCancelled } from './cancel'
import { countCorrect, disposeModel, fitCentring, type FittedModel, LinearFitter, standardise } from './classifier'
import { adaptation, extractFeatures, type FeatureFn, featureChunks } from './features'
import { discriminatorFeatureCount, MAX_FEATURE_BYTES, openProbeDataset, type ProbeContext } from './probe'

/**
 * The paper's probe protocols (Tables 1 and 2; the authors' svhn_semisup_analysis.py): an L2-SVM on the
 * trained D's features (every LeakyReLU output max-pooled to 4×4). A fixed validation split is taken from
 * the training set; for every C, `selectionDraws` random draws of `perClass` labelled images per class from
 * the rest are fitted and scored on validation; the C with the best mean wins; then `testDraws` fresh draws
 * are fitted at that C and scored on the test set, reported as mean ± 1.96σ over the draws.
 *
 * Only one draw's training features are in memory at a time. Validation and test features are streamed once
 * each, every fitted classifier scoring a chunk together: a classifier is kept as W and b on raw features
 * (the centring folded into b), so all of them are one matrix product.
 */

/** One fitted classifier on raw features: logits = x·W + b. */
interface Affine {
  weights: tf.Tensor2D
  bias: tf.Tensor1D
}

export async function probeProtocol(models: ModelCache, params: EngineProtocolProbeParams, ctx: ProbeContext = {}): Promise<ProtocolProbeResult> {
  const started = performance.now()
  const train = await openProbeDataset(params.trainDir)
  let test: OpenedDataset | null = null
  try {
    test = await openProbeDataset(params.testDir)
    const model = params.models.model
    const split = protocolSplit(train, test, params, discriminatorFeatureCount(model))
    const testSet = test
    return await models.use(params.models, async (pair) => {
      const D = await pair.network('D')
      const represent: FeatureFn = (x) => discriminatorFeatures(D, x)
      const { selectionDraws, testDraws } = params
      const cs = [...params.cs].sort((a, b) => a - b)
      // Work units for progress: each draw's features and fits, then each streamed image.
      const units = selectionDraws + testDraws + (split.validation.length + split.test.length) / (split.perClass * split.classList.length)
      let done = 0
      const report = (message: string): void => ctx.progress?.(Math.min(1, done / units), message)

      // Choosing C: every draw fitted along the C path (smallest C, the strongest penalty, first).
      const selection: Affine[][] = []
      let features = 0
      try {
        for (let r = 0; r < selectionDraws; r++) {
          const fitted = await fitDraw(train, split, split.draw(), model, represent, cs, params, ctx.signal)
          features = fitted.features
          selection.push(fitted.models)
          done += 1
          report(`choosing C: fitted draw ${r + 1} of ${selectionDraws} for ${cs.length} values of C`)
        }
        const correct = await scoreAll(
          train,
          split.validation,
          split.trainClass,
          split.classList.length,
          model,
          represent,
          selection.flat(),
          ctx.signal,
          (n) => {
            report(`choosing C: validation ${n} of ${split.validation.length} images`)
          }
        )
        done += split.validation.length / (split.perClass * split.classList.length)
        const validation = cs.map((c, k) => ({ c, accuracy: stat(selection.map((_, r) => (correct[r * cs.length + k] as number) / split.validation.length)) }))
        // Ties keep the smaller C: the stronger penalty, the simpler model.
        const best = validation.reduce((a, b) => (b.accuracy.mean > a.accuracy.mean ? b : a))
        disposeAll(selection.flat())
        selection.length = 0

        const scored: Affine[] = []
        const trainAccuracies: number[] = []
        try {
          for (let r = 0; r < testDraws; r++) {
            const fitted = await fitDraw(train, split, split.draw(), model, represent, [best.c], params, ctx.signal)
            scored.push(fitted.models[0] as Affine)
            trainAccuracies.push(fitted.trainAccuracy)
            done += 1
            report(`C = ${best.c}: fitted test draw ${r + 1} of ${testDraws}`)
          }
          const testCorrect = await scoreAll(testSet, split.test, split.testClass, split.classList.length, model, represent, scored, ctx.signal, (n) =>
            report(`testing: ${n} of ${split.test.length} images`)
          )
          const accuracies = testCorrect.map((n) => n / split.test.length)
          return {
            features,
            classes: split.classList.length,
            classNames: classNames(train, split.classList),
            counts: { pool: split.poolSize, validation: split.validation.length, perDraw: split.perClass * split.classList.length, test: split.test.length },
            validation,
            chosenC: best.c,
            testAccuracy: stat(accuracies),
            testError: stat(accuracies.map((a) => 1 - a)),
            trainAccuracy: stat(trainAccuracies),
            draws: { selection: selectionDraws, test: testDraws },
            adapted: adaptation(train, model),
            seconds: (performance.now() - started) / 1000
          }
        } finally {
          disposeAll(scored)
        }
      } finally {
        disposeAll(selection.flat())
      }
    })
  } finally {
    train.close()
    test?.close()
  }
}

interface ProtocolSplit {
  validation: Int32Array
  test: Int32Array
  poolSize: number
  perClass: number
  /** Labels present in the training set; label `classList[k]` is class k. */
  classList: number[]
  trainClass: Int32Array
  testClass: Int32Array
  /** The next random draw of `perClass` pool images per class, sorted. */
  draw(): Int32Array
}

function protocolSplit(train: OpenedDataset, test: OpenedDataset, params: EngineProtocolProbeParams, dims: number): ProtocolSplit {
  for (const d of [train, test]) {
    if (!d.manifest.labels)
      throw new StudioError(
        'bad_request',
        `The dataset "${d.manifest.name}" has no labels; the probe protocols need labelled training and test sets (e.g. CIFAR-10's batches, SVHN's .mat files).`
      )
  }
  const count = train.manifest.count
  if (params.validation >= count) {
    throw new StudioError(
      'bad_request',
      `The training set "${train.manifest.name}" has ${count} images; the protocol sets ${params.validation} aside for validation and needs more to draw labels from.`
    )
  }
  const labels = train.readLabels(0, count)
  const rng = new Rng(params.seed)
  const order = shuffleInPlace(
    Int32Array.from({ length: count }, (_, i) => i),
    rng
  )
  const validation = Int32Array.from(order.subarray(0, params.validation)).sort()
  const byLabel = new Map<number, number[]>()
  for (const i of order.subarray(params.validation)) {
    const label = labels[i] as number
    const list = byLabel.get(label)
    if (list) list.push(i)
    else byLabel.set(label, [i])
  }
  const classList = [...new Set(labels)].sort((a, b) => a - b)
  if (classList.length < 2)
    throw new StudioError('bad_request', `The training set "${train.manifest.name}" has ${classList.length} class; a probe needs at least two.`)
  const position = new Map(classList.map((label, k) => [label, k]))
  const fewest = Math.min(...classList.map((label) => byLabel.get(label)?.length ?? 0))
  // "As many as memory allows": one draw's features are held twice while they become a tensor.
  const fits = Math.max(1, Math.floor(MAX_FEATURE_BYTES / (2 * 4 * dims * classList.length)))
  const perClass = params.perClass ?? Math.min(fewest, fits)
  if (perClass > fewest) {
    throw new StudioError(
      'bad_request',
      `After the ${params.validation.toLocaleString('en-US')} validation images, a class of "${train.manifest.name}" has only ${fewest} images left, but each draw takes ${perClass} per class. Lower the labels per class or the validation count.`
    )
  }
  const testLabels = test.readLabels(0, test.manifest.count)
  const testClass = Int32Array.from(testLabels, (label) => position.get(label) ?? -1)
  const stray = testClass.indexOf(-1)
  if (stray >= 0) {
    throw new StudioError(
      'bad_request',
      `The test set "${test.manifest.name}" has label ${testLabels[stray]} (image ${stray}), which no training image has: choose the test set that belongs to "${train.manifest.name}".`
    )
  }
  return {
    validation,
    test: Int32Array.from({ length: test.manifest.count }, (_, i) => i),
    poolSize: count - params.validation,
    perClass,
    classList,
    trainClass: Int32Array.from(labels, (label) => position.get(label) as number),
    testClass,
    draw: () => {
      const picked: number[] = []
      for (const label of classList) picked.push(...shuffleInPlace([...(byLabel.get(label) as number[])], rng).slice(0, perClass))
      return Int32Array.from(picked).sort()
    }
  }
}

/** One draw's features and its SVM fitted for each C (λ = 1/(C·n)), as classifiers on raw features. */
async function fitDraw(
  dataset: OpenedDataset,
  split: ProtocolSplit,
  indices: Int32Array,
  model: ModelConfig,
  represent: FeatureFn,
  cs: readonly number[],
  params: EngineProtocolProbeParams,
  signal: AbortSignal | undefined
): Promise<{ models: Affine[]; features: number; trainAccuracy: number }> {
  const { values, dims } = await extractFeatures(dataset, indices, model, represent, { signal })
  const n = indices.length
  const raw = tf.tensor2d(values, [n, dims])
  const centring = fitCentring(raw)
  const examples = {
    x: standardise(raw, centring),
    labels: tf.tensor1d(
      Array.from(indices, (i) => split.trainClass[i] as number),
      'int32'
    )
  }
  raw.dispose()
  const fitter = await LinearFitter.create(examples, split.classList.length, 'auto', 'squaredHinge')
  const out: Affine[] = []
  let previous: FittedModel | null = null
  let trainAccuracy = 0
  try {
    for (const c of cs) {
      const fitted: FittedModel = await fitter.fit({ weightDecay: 1 / (c * n), iterations: params.iterations, signal, ...(previous ? { from: previous } : {}) })
      if (previous) disposeModel(previous)
      previous = fitted
      trainAccuracy = (await countCorrect(fitted, examples)) / n
      // x·W + b on centred features is x·W + (b − μ·W) on raw ones.
      out.push({
        weights: fitted.weights.clone(),
        bias: tf.tidy(() => fitted.bias.sub<tf.Tensor1D>(centring.mean.reshape([1, dims]).matMul(fitted.weights).reshape<tf.Tensor1D>([-1])))
      })
    }
    return { models: out, features: dims, trainAccuracy }
  } catch (error) {
    disposeAll(out)
    throw error
  } finally {
    if (previous) disposeModel(previous)
    fitter.dispose()
    tf.dispose([examples.x, examples.labels, centring.mean, centring.scale])
  }
}

/** How many of the images each classifier gets right, streaming their features once. */
async function scoreAll(
  dataset: OpenedDataset,
  indices: Int32Array,
  /** Every image's class, by index in `dataset`. */
  classOf: Int32Array,
  k: number,
  model: ModelConfig,
  represent: FeatureFn,
  classifiers: readonly Affine[],
  signal: AbortSignal | undefined,
  onChunk: (done: number) => void
): Promise<number[]> {
  const m = classifiers.length
  const weights = tf.concat(
    classifiers.map((c) => c.weights),
    1
  )
  const bias = tf.concat(classifiers.map((c) => c.bias))
  const correct = new Array<number>(m).fill(0)
  try {
    for (const { start, features } of featureChunks(dataset, indices, model, represent, signal)) {
      const chunk = indices.subarray(start, start + features.shape[0])
      const hits = tf.tidy(() => {
        const predicted = features.matMul(weights).add(bias).reshape([chunk.length, m, k]).argMax(2)
        const truth = tf.tensor2d(
          Array.from(chunk, (i) => classOf[i] as number),
          [chunk.length, 1],
          'int32'
        )
        return predicted.equal(truth).sum(0)
      })
      features.dispose()
      try {
        const counts = await hits.data()
        for (let j = 0; j < m; j++) correct[j] = (correct[j] as number) + (counts[j] as number)
      } finally {
        hits.dispose()
      }
      onChunk(start + chunk.length)
    }
    stopIfCancelled(signal)
    return correct
  } finally {
    tf.dispose([weights, bias])
  }
}

/** Mean and 1.96σ (the population σ, as numpy's std) over the draws. */
function stat(values: readonly number[]): DrawStat {
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length
  return { mean, halfWidth: 1.96 * Math.sqrt(variance) }
}

function classNames(dataset: OpenedDataset, classList: number[]): string[] | null {
  const names = dataset.manifest.labels?.names
  return names ? classList.map((label) => names[label] ?? String(label)) : null
}

function disposeAll(models: readonly Affine[]): void {
  for (const a of models) tf.dispose([a.weights, a.bias])
}
