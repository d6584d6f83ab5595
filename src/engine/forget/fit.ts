import * as tf from '@tensorflow/tfjs'
import { StudioError } from '../../shared/api/errors'
import type { EngineForgetFitParams, ForgetFitResult, MapWeight } from '../../shared/api/forget'
import type { LayerSpec } from '../model'
import { forwardOutput } from '../explore/forward'
import type { ModelCache, Network } from '../explore/models'
import { yieldAndCheck } from '../probe/cancel'
import { countCorrect, disposeModel, fitStandardiser, LinearFitter, standardise } from '../probe/classifier'
import { pickLocations } from './locations'

/**
 * Fits an erasure (paper Fig. 6): G's activations at the chosen layer for the boxed samples, one example per
 * location (its vector of feature-map values), labelled inside-a-box or not; an L2-regularised logistic
 * regression (the probe's classifier, with two classes) then weighs every feature map. Maps with positive
 * weight are the ones that draw the object, and the ones the paper drops.
 */

export interface ForgetContext {
  signal?: AbortSignal
  progress?(fraction: number, message: string): void
}

/** Samples run through G at once; keeps memory flat for hundreds of boxed samples at 128 px. */
const CHUNK = 32

/** Layers an erasure can use: the ReLU after each of G's conv layers below the output, highest last. */
export function erasableLayers(plan: readonly LayerSpec[]): LayerSpec[] {
  const convs = plan.filter((layer) => layer.kind === 'relu' && layer.name !== 'g_relu0')
  return convs.length > 0 ? convs : plan.filter((layer) => layer.kind === 'relu')
}

export async function fitErasure(models: ModelCache, params: EngineForgetFitParams, ctx: ForgetContext = {}): Promise<ForgetFitResult> {
  if (params.boxes.length !== params.count) {
    throw new StudioError(
      'bad_request',
      `forget got boxes for ${params.boxes.length} samples but ${params.count} z vectors; give one list of boxes per sample.`
    )
  }
  const zDim = params.generator.model.zDim
  if (params.z.length !== params.count * zDim) {
    throw new StudioError('bad_request', `forget got ${params.z.length} numbers for ${params.count} z vectors of ${zDim}.`)
  }
  // The fit looks at G as it is: an erasure already on the source would hide the very maps being weighed.
  const source = { ...params.generator, erase: undefined }
  return models.use(source, async (pair) => {
    const generator = await pair.network('G')
    const layers = erasableLayers(generator.plan)
    const name = params.layer ?? (layers[layers.length - 1] as LayerSpec).name
    const spec = layers.find((layer) => layer.name === name)
    if (!spec) throw new StudioError('bad_request', `Cannot fit an erasure on '${name}': choose one of ${layers.map((l) => l.name).join(', ')}.`)
    const [height, width, channels] = spec.outputShape as [number, number, number]

    const { positives, negatives } = pickLocations(params.boxes, height, width, params.negativesPerPositive, params.seed, params.negatives)
    if (positives.length === 0) throw new StudioError('bad_request', 'No box covers any location: draw at least one box around the object to forget.')
    if (negatives.length === 0) {
      throw new StudioError(
        'bad_request',
        params.negatives === 'matched'
          ? 'Matched negatives come from samples without a box at the boxed places, and there are none: add samples without the object (or use random negatives).'
          : 'The boxes cover every location of every sample, so nothing is left to compare them with.'
      )
    }
    const rows = [...positives, ...negatives]
    ctx.progress?.(0, `Drawing ${params.count} samples through ${name}…`)
    const x = await activationsAt(generator, name, [height, width, channels], rows, params.z, params.count, ctx)
    const labels = new Float32Array(rows.length).fill(1, 0, positives.length).fill(0, positives.length)

    ctx.progress?.(0.5, `Fitting a logistic regression on ${positives.length} inside and ${negatives.length} outside locations…`)
    const raw = tf.tensor2d(x, [rows.length, channels])
    const standardiser = await fitStandardiser(raw)
    const examples = { x: standardise(raw, standardiser), labels: tf.tensor1d(labels) }
    raw.dispose()
    const fitter = await LinearFitter.create(examples, 2)
    try {
      const model = await fitter.fit({ weightDecay: params.weightDecay, iterations: params.iterations, ...(ctx.signal ? { signal: ctx.signal } : {}) })
      try {
        // Two-class softmax is logistic regression on the difference of the classes' weights.
        const difference = tf.tidy(() =>
          model.weights
            .slice([0, 1], [-1, 1])
            .sub(model.weights.slice([0, 0], [-1, 1]))
            .reshape([-1])
        )
        const weights = await difference.data()
        difference.dispose()
        const correct = await countCorrect(model, examples)
        const maps: MapWeight[] = Array.from(weights, (weight, channel) => ({ channel, weight })).sort((a, b) => b.weight - a.weight)
        ctx.progress?.(1, 'Fitted.')
        return {
          layer: name,
          shape: [height, width, channels],
          layers: layers.map((layer) => layer.name),
          maps,
          dropped: maps.filter((m) => m.weight > 0).map((m) => m.channel),
          positives: positives.length,
          negatives: negatives.length,
          accuracy: correct / rows.length
        }
      } finally {
        disposeModel(model)
      }
    } finally {
      fitter.dispose()
      tf.dispose([examples.x, examples.labels, standardiser.mean, standardiser.scale])
    }
  })
}

/**
 * The layer's activation vectors at the given locations (numbered as in pickLocations), one row each. Only
 * those rows are kept, so hundreds of samples at 128 px need megabytes, not the whole layer's gigabytes.
 */
async function activationsAt(
  generator: Network,
  layer: string,
  [height, width, channels]: [number, number, number],
  rows: readonly number[],
  z: Float32Array,
  count: number,
  ctx: ForgetContext
): Promise<Float32Array> {
  const zDim = generator.config.zDim
  const perSample = height * width
  const x = new Float32Array(rows.length * channels)
  for (let start = 0; start < count; start += CHUNK) {
    const n = Math.min(CHUNK, count - start)
    const output = tf.tidy(() => forwardOutput(generator, tf.tensor2d(z.subarray(start * zDim, (start + n) * zDim), [n, zDim]), { upTo: layer }))
    let values: Float32Array
    try {
      values = (await output.data()) as Float32Array
    } finally {
      output.dispose()
    }
    const first = start * perSample
    rows.forEach((location, i) => {
      const at = location - first
      if (at >= 0 && at < n * perSample) x.set(values.subarray(at * channels, (at + 1) * channels), i * channels)
    })
    ctx.progress?.((0.5 * (start + n)) / count, `Drew ${start + n} of ${count} samples`)
    await yieldAndCheck(ctx.signal)
  }
  return x
}
