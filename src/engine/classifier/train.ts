import * as tf from '@tensorflow/tfjs'
import { StudioError } from '../../shared/api/errors'
import { type ClassifierInfo, CLASSIFIER_VERSION, BINARY_ATTRIBUTES, POSES } from '../../shared/faces'
import { Rng } from '../../shared/latent/random'
import { createAdam } from '../train/adam'
import { trainableVariables } from '../train/gan-step'
import { accuracyOn } from './classify'
import { type FaceExamples, type Variation, batchOf, renderExamples } from './data'
import { buildClassifier, logitsOf } from './model'

export interface TrainClassifierOptions {
  size: number
  channels?: 1 | 3
  /** Faces to learn from: faces 0 … trainCount − 1 of the set drawn with `seed`. */
  trainCount: number
  /** Held-out faces to measure accuracy on: the next `testCount` faces of the same set. */
  testCount: number
  seed: number
  epochs: number
  batchSize: number
  learningRate?: number
  onProgress?: (progress: ClassifierProgress) => void
  signal?: AbortSignal
}

export type ClassifierProgress =
  | { phase: 'drawing'; done: number; total: number }
  | { phase: 'training'; epoch: number; epochs: number; step: number; steps: number; loss: number }
  | { phase: 'testing' }

export interface TrainedClassifier {
  model: tf.LayersModel
  /** Accuracy on the held-out faces. */
  accuracy: ClassifierInfo['accuracy']
  /** Everything `saveClassifier` writes beside the model. */
  info: ClassifierInfo
}

export const DEFAULT_LEARNING_RATE = 1e-3

/**
 * Trains a classifier from scratch on procedural faces and measures it on faces it never saw. Adam on the sum
 * of the attributes' sigmoid cross-entropy and the pose's softmax cross-entropy, both from logits.
 */
export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainedClassifier> {
  const { size, trainCount, testCount, seed, epochs, batchSize, onProgress, signal } = options
  const channels = options.channels ?? 3
  const learningRate = options.learningRate ?? DEFAULT_LEARNING_RATE
  checkOptions(options)
  const started = Date.now()
  const total = trainCount + testCount
  const drawn = (offset: number) => (done: number) => {
    if ((offset + done) % 64 === 0 || offset + done === total) onProgress?.({ phase: 'drawing', done: offset + done, total })
  }
  const train = await renderExamples(seed, 0, trainCount, size, { onFace: drawn(0), signal })
  const test = await renderExamples(seed, trainCount, testCount, size, { onFace: drawn(trainCount), signal })

  const model = buildClassifier(size, channels, seed)
  try {
    const { steps, finalLoss } = await fit(model, train, { channels, epochs, batchSize, learningRate, seed, onProgress, signal })
    onProgress?.({ phase: 'testing' })
    const accuracy = await accuracyOn(model, test, channels)
    const info: ClassifierInfo = {
      format: 'dcgan-studio/face-classifier',
      version: CLASSIFIER_VERSION,
      size,
      channels,
      inputRange: [-1, 1],
      attributes: [...BINARY_ATTRIBUTES],
      poses: [...POSES],
      accuracy,
      training: {
        trainCount,
        testCount,
        seed,
        epochs,
        batchSize,
        learningRate,
        steps,
        seconds: (Date.now() - started) / 1000,
        backend: tf.getBackend(),
        finalLoss
      }
    }
    return { model, accuracy, info }
  } catch (error) {
    model.dispose()
    throw error
  }
}

async function fit(
  model: tf.LayersModel,
  examples: FaceExamples,
  options: {
    channels: 1 | 3
    epochs: number
    batchSize: number
    learningRate: number
    seed: number
    onProgress?: TrainClassifierOptions['onProgress']
    signal?: AbortSignal
  }
): Promise<{ steps: number; finalLoss: number }> {
  const { channels, epochs, batchSize, onProgress, signal } = options
  const logits = logitsOf(model)
  const optimizer = createAdam(options.learningRate)
  const variables = trainableVariables(model)
  const rng = new Rng(options.seed ^ 0x5eed)
  const perEpoch = Math.ceil(examples.count / batchSize)
  // Every face seen mirrored half the time and shifted by up to a pixel at 32 px (two at 64): more than that
  // and the small network spends its capacity on placement the faces' own variety already covers.
  const reach = Math.max(1, Math.round(examples.size / 32))
  const vary = (): Variation => ({
    mirror: rng.next() < 0.5,
    dx: Math.floor(rng.next() * (2 * reach + 1)) - reach,
    dy: Math.floor(rng.next() * (2 * reach + 1)) - reach
  })
  let steps = 0
  let loss = Number.NaN
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = shuffled(examples.count, rng)
      for (let b = 0; b < perEpoch; b++) {
        if (signal?.aborted) throw new StudioError('cancelled', 'Training the face classifier was cancelled.')
        const batch = batchOf(examples, order.subarray(b * batchSize, (b + 1) * batchSize), channels, vary)
        let cost: tf.Scalar
        try {
          cost = tf.tidy(() => {
            const total = optimizer.minimize(
              () => {
                const [attributeLogits, poseLogits] = logits.apply(batch.images, { training: true }) as [tf.Tensor2D, tf.Tensor2D]
                const attributes = tf.losses.sigmoidCrossEntropy(batch.attributes, attributeLogits)
                const pose = tf.losses.softmaxCrossEntropy(batch.poses, poseLogits)
                return attributes.add<tf.Scalar>(pose)
              },
              true,
              variables
            )
            if (!total) throw new Error('The optimizer returned no loss for a classifier training step.')
            return total
          })
        } finally {
          tf.dispose([batch.images, batch.attributes, batch.poses])
        }
        loss = (await cost.data())[0] as number
        cost.dispose()
        steps++
        onProgress?.({ phase: 'training', epoch, epochs, step: steps, steps: perEpoch * epochs, loss })
      }
    }
  } finally {
    optimizer.dispose()
  }
  return { steps, finalLoss: loss }
}

/** A seeded permutation of 0 … n − 1 (Fisher–Yates). */
function shuffled(n: number, rng: Rng): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1))
    const t = order[i] as number
    order[i] = order[j] as number
    order[j] = t
  }
  return order
}

function checkOptions({ size, trainCount, testCount, epochs, batchSize, seed }: TrainClassifierOptions): void {
  const whole = (value: number, min: number): boolean => Number.isInteger(value) && value >= min
  if (![8, 16, 32, 64, 128].includes(size)) throw new StudioError('bad_request', `The classifier's image size must be 8, 16, 32, 64 or 128 px, got ${size}.`)
  if (!whole(trainCount, 1) || !whole(testCount, 1))
    throw new StudioError('bad_request', `trainCount and testCount must be whole numbers of at least 1, got ${trainCount} and ${testCount}.`)
  if (!whole(epochs, 1) || !whole(batchSize, 1))
    throw new StudioError('bad_request', `epochs and batchSize must be whole numbers of at least 1, got ${epochs} and ${batchSize}.`)
  if (!whole(seed, 0) || seed > 0xffffffff) throw new StudioError('bad_request', `The seed must be a whole number from 0 to 4294967295, got ${seed}.`)
}
