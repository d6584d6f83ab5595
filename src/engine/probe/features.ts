import * as tf from '@tensorflow/tfjs'
import type { OpenedDataset } from '../../node/dataset-files'
import type { ModelConfig } from '../../shared/formats/model'
import { stopIfCancelled } from './cancel'

/**
 * Dataset images as the model's input, and a representation's features of them, a chunk at a time: only one
 * chunk of images is ever on the backend, and features come back as one plain array per split.
 */

/** Images per forward pass: bounds memory; a random-init D normalises each chunk with its own statistics. */
export const PROBE_CHUNK = 64

/** A representation of a batch of model inputs: [n, size, size, channels] → [n, features]. */
export type FeatureFn = (images: tf.Tensor4D) => tf.Tensor2D

/**
 * How the dataset's images differ from the model's input, in words, or null when they match. They are
 * converted rather than refused, as the paper probes CIFAR-10 with a D trained on Imagenet.
 */
export function adaptation(dataset: OpenedDataset, model: ModelConfig): string | null {
  const { size, channels } = dataset.manifest
  const changes: string[] = []
  if (size !== model.imageSize) changes.push(`resized from ${size} to ${model.imageSize} px (bilinear)`)
  if (channels !== model.channels) changes.push(model.channels === 1 ? 'RGB averaged to gray' : 'gray repeated into RGB')
  return changes.length > 0 ? changes.join(', ') : null
}

/** Images `indices` of the dataset as a batch of model input: [n, size, size, channels] in [-1, 1]. */
export function modelInput(dataset: OpenedDataset, indices: ArrayLike<number>, model: ModelConfig): tf.Tensor4D {
  const { size, channels } = dataset.manifest
  const bytes = new Float32Array(indices.length * dataset.imageBytes)
  for (let i = 0; i < indices.length; i++) bytes.set(dataset.readImages(indices[i] as number, 1), i * dataset.imageBytes)
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.tensor4d(bytes, [indices.length, size, size, channels]).div(127.5).sub(1)
    if (channels !== model.channels) x = model.channels === 1 ? x.mean(3, true) : tf.tile(x, [1, 1, 1, 3])
    if (size !== model.imageSize) x = tf.image.resizeBilinear(x, [model.imageSize, model.imageSize])
    return x
  })
}

/** `represent`'s features of images `indices`, row after row ([indices.length × dims]). */
export async function extractFeatures(
  dataset: OpenedDataset,
  indices: Int32Array,
  model: ModelConfig,
  represent: FeatureFn,
  options: { signal?: AbortSignal; onChunk?: (done: number) => void } = {}
): Promise<{ values: Float32Array; dims: number }> {
  let values: Float32Array | null = null
  let dims = 0
  for (const { start, features } of featureChunks(dataset, indices, model, represent, options.signal)) {
    try {
      dims = features.shape[1]
      values ??= new Float32Array(indices.length * dims)
      values.set(await features.data(), start * dims)
    } finally {
      features.dispose()
    }
    options.onChunk?.(Math.min(indices.length, start + PROBE_CHUNK))
  }
  if (!values) throw new Error('extractFeatures needs at least one image')
  return { values, dims }
}

/** The features of each chunk of images, in order; the caller disposes each before asking for the next. */
export function* featureChunks(
  dataset: OpenedDataset,
  indices: Int32Array,
  model: ModelConfig,
  represent: FeatureFn,
  signal?: AbortSignal
): Generator<{ start: number; features: tf.Tensor2D }> {
  for (let start = 0; start < indices.length; start += PROBE_CHUNK) {
    stopIfCancelled(signal)
    const chunk = indices.subarray(start, Math.min(indices.length, start + PROBE_CHUNK))
    yield { start, features: tf.tidy(() => represent(modelInput(dataset, chunk, model))) }
  }
}
