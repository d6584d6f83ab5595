import * as tf from '@tensorflow/tfjs'
import { BINARY_ATTRIBUTES, POSES, type Pose } from '../../shared/faces'
import type { ClassifierAccuracy } from '../../shared/faces'
import { type FaceExamples, batchOf } from './data'

/** What the classifier says about one face: a probability per binary attribute and per pose. */
export interface FaceProbabilities {
  smiling: number
  masculine: number
  glasses: number
  pose: Record<Pose, number>
}

const CHUNK = 64

/**
 * Classifies a batch of faces (NHWC in [-1, 1], e.g. generator samples) in chunks, so a large batch never
 * holds more than one chunk's activations. The caller keeps ownership of `images`.
 */
export async function classify(model: tf.LayersModel, images: tf.Tensor4D): Promise<FaceProbabilities[]> {
  const n = images.shape[0]
  const results: FaceProbabilities[] = []
  for (let start = 0; start < n; start += CHUNK) {
    const count = Math.min(CHUNK, n - start)
    const [attributes, poses] = tf.tidy(() => {
      const chunk = images.slice([start, 0, 0, 0], [count, -1, -1, -1])
      return model.predict(chunk) as [tf.Tensor2D, tf.Tensor2D]
    })
    const [a, p] = await Promise.all([attributes.data(), poses.data()])
    attributes.dispose()
    poses.dispose()
    results.push(...toProbabilities(a, p, count))
  }
  return results
}

function toProbabilities(attributes: ArrayLike<number>, poses: ArrayLike<number>, count: number): FaceProbabilities[] {
  const out: FaceProbabilities[] = []
  for (let i = 0; i < count; i++) {
    const value = (a: number): number => attributes[i * BINARY_ATTRIBUTES.length + a] as number
    const pose = Object.fromEntries(POSES.map((name, k) => [name, poses[i * POSES.length + k] as number])) as Record<Pose, number>
    out.push({ smiling: value(0), masculine: value(1), glasses: value(2), pose })
  }
  return out
}

/** Share of `examples` classified right, per binary attribute (threshold 0.5) and for pose (most probable). */
export async function accuracyOn(model: tf.LayersModel, examples: FaceExamples, channels: 1 | 3): Promise<ClassifierAccuracy> {
  const right = { smiling: 0, masculine: 0, glasses: 0, pose: 0 }
  for (let start = 0; start < examples.count; start += CHUNK) {
    const indices = Array.from({ length: Math.min(CHUNK, examples.count - start) }, (_, k) => start + k)
    const batch = batchOf(examples, indices, channels)
    const predicted = await classify(model, batch.images)
    tf.dispose([batch.images, batch.attributes, batch.poses])
    predicted.forEach((p, k) => {
      const i = indices[k] as number
      BINARY_ATTRIBUTES.forEach((attribute, a) => {
        if (p[attribute] >= 0.5 === (examples.attributes[i * BINARY_ATTRIBUTES.length + a] as number) >= 0.5) right[attribute]++
      })
      const best = POSES.reduce((top, pose) => (p.pose[pose] > p.pose[top] ? pose : top), POSES[0])
      if (POSES.indexOf(best) === examples.poses[i]) right.pose++
    })
  }
  const n = examples.count
  return { smiling: right.smiling / n, masculine: right.masculine / n, glasses: right.glasses / n, pose: right.pose / n }
}
