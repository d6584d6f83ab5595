import * as tf from '@tensorflow/tfjs'
import { StudioError } from '../../shared/api/errors'
import { BINARY_ATTRIBUTES, POSES, faceSpecAt, renderFace } from '../../shared/faces'

/**
 * Labelled faces for training and testing the classifier, kept as bytes (a 64 px set of 10,000 faces is 120 MB
 * as bytes, four times that as floats) and turned into [-1, 1] tensors one batch at a time.
 */
export interface FaceExamples {
  count: number
  size: number
  /** RGB bytes, face after face. */
  images: Uint8Array
  /** 0/1 per binary attribute, face after face (BINARY_ATTRIBUTES order). */
  attributes: Float32Array
  /** Index into POSES per face. */
  poses: Int32Array
}

/**
 * Faces `start` … `start + count − 1` of the set drawn with `seed`. Drawing is synchronous work of a few
 * milliseconds a face, so it yields to the event loop now and then to let a cancel request in.
 */
export async function renderExamples(
  seed: number,
  start: number,
  count: number,
  size: number,
  options: { onFace?: (done: number) => void; signal?: AbortSignal } = {}
): Promise<FaceExamples> {
  const pixels = size * size * 3
  const examples: FaceExamples = {
    count,
    size,
    images: new Uint8Array(count * pixels),
    attributes: new Float32Array(count * BINARY_ATTRIBUTES.length),
    poses: new Int32Array(count)
  }
  for (let i = 0; i < count; i++) {
    if (i % 32 === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (options.signal?.aborted) throw new StudioError('cancelled', 'Drawing the faces for the classifier was cancelled.')
    }
    const spec = faceSpecAt(seed, start + i)
    examples.images.set(renderFace(spec, size), i * pixels)
    BINARY_ATTRIBUTES.forEach((attribute, a) => {
      examples.attributes[i * BINARY_ATTRIBUTES.length + a] = spec[attribute] ? 1 : 0
    })
    examples.poses[i] = POSES.indexOf(spec.pose)
    options.onFace?.(i + 1)
  }
  return examples
}

const LEFT = POSES.indexOf('left')
const RIGHT = POSES.indexOf('right')

/** How one training face is varied: mirrored left to right (its pose swaps), and shifted by whole pixels. */
export interface Variation {
  mirror: boolean
  dx: number
  dy: number
}

const AS_IS: Variation = { mirror: false, dx: 0, dy: 0 }

/**
 * The faces at `indices` as one batch: images in [-1, 1] (gray = mean of RGB for 1 channel), and labels.
 * `vary(b)` varies face b for training (edges repeat into the space a shift opens), so the classifier does not
 * learn where exactly a rendered face's parts sit — a generator's samples are not so exact.
 */
export function batchOf(
  examples: FaceExamples,
  indices: ArrayLike<number>,
  channels: 1 | 3,
  vary: (b: number) => Variation = () => AS_IS
): { images: tf.Tensor4D; attributes: tf.Tensor2D; poses: tf.Tensor2D } {
  const { size } = examples
  const n = indices.length
  const pixels = size * size
  const a = BINARY_ATTRIBUTES.length
  const values = new Float32Array(n * pixels * channels)
  const attributes = new Float32Array(n * a)
  const poses = new Int32Array(n)
  for (let b = 0; b < n; b++) {
    const i = indices[b] as number
    const source = examples.images.subarray(i * pixels * 3, (i + 1) * pixels * 3)
    const target = b * pixels * channels
    const { mirror, dx, dy } = vary(b)
    const clamp = (v: number): number => Math.max(0, Math.min(size - 1, v))
    for (let p = 0; p < pixels; p++) {
      const x = clamp((mirror ? size - 1 - (p % size) : p % size) - dx)
      const y = clamp(Math.floor(p / size) - dy)
      const from = (y * size + x) * 3
      const to = target + p * channels
      if (channels === 3) {
        values[to] = (source[from] as number) / 127.5 - 1
        values[to + 1] = (source[from + 1] as number) / 127.5 - 1
        values[to + 2] = (source[from + 2] as number) / 127.5 - 1
      } else {
        values[to] = ((source[from] as number) + (source[from + 1] as number) + (source[from + 2] as number)) / 3 / 127.5 - 1
      }
    }
    attributes.set(examples.attributes.subarray(i * a, (i + 1) * a), b * a)
    const pose = examples.poses[i] as number
    poses[b] = mirror && pose === LEFT ? RIGHT : mirror && pose === RIGHT ? LEFT : pose
  }
  return tf.tidy(() => ({
    images: tf.tensor4d(values, [n, size, size, channels]),
    attributes: tf.tensor2d(attributes, [n, a]),
    poses: tf.oneHot(tf.tensor1d(poses, 'int32'), POSES.length).toFloat() as tf.Tensor2D
  }))
}
