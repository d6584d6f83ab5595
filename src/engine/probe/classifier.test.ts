import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { Rng } from '../../shared/latent/random'
import { selectBackend } from '../backend/select'
import { countCorrect, fitLinear, fitStandardiser, largestEigenvalue, standardise } from './classifier'

beforeAll(async () => {
  await selectBackend('wasm')
})

/** `perClass` points around each of `classes` random centres in `dims` dimensions (noise `spread`), as a tensor. */
function blobs(classes: number, perClass: number, dims: number, spread: number, seed: number): { x: tf.Tensor2D; labels: tf.Tensor1D } {
  const rng = new Rng(seed)
  const centres = Array.from({ length: classes }, () => Array.from({ length: dims }, () => rng.normal()))
  const values: number[] = []
  const labels: number[] = []
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < perClass; i++) {
      values.push(...(centres[k] as number[]).map((c) => c + spread * rng.normal()))
      labels.push(k)
    }
  }
  return { x: tf.tensor2d(values, [classes * perClass, dims]), labels: tf.tensor1d(labels, 'int32') }
}

describe('the probe classifier', () => {
  it('standardises to zero mean and unit total variance, dropping constant dimensions', () => {
    const raw = tf.tensor2d([
      [1, 5, 100],
      [3, 5, 300],
      [5, 5, 200]
    ])
    const s = fitStandardiser(raw)
    const x = standardise(raw, s)
    const { mean, variance } = tf.moments(x, 0)
    expect(Array.from(mean.dataSync()).every((v) => Math.abs(v) < 1e-6)).toBe(true)
    // Two live dimensions share the unit variance; the constant one is dropped.
    expect(Array.from(variance.dataSync())).toEqual([expect.closeTo(0.5, 5), 0, expect.closeTo(0.5, 5)])
    tf.dispose([raw, s.mean, s.scale, x, mean, variance])
  })

  it('separates well-separated classes, and converges to the penalised optimum (zero gradient)', async () => {
    const data = blobs(4, 30, 20, 0.3, 1)
    const s = fitStandardiser(data.x)
    const x = standardise(data.x, s)
    const examples = { x, labels: data.labels }
    const weightDecay = 1e-2
    const model = await fitLinear(examples, { classes: 4, weightDecay, iterations: 400, curvature: largestEigenvalue(x) })
    expect(await countCorrect(model, examples)).toBe(120)
    const gradient = tf.tidy(() => {
      const residual = tf.softmax(x.matMul(model.weights).add(model.bias)).sub(tf.oneHot(data.labels, 4).toFloat()).div(120)
      return tf.matMul(x, residual, true, false).add(model.weights.mul(weightDecay)).norm()
    })
    const weights = model.weights.norm()
    expect(gradient.dataSync()[0]!).toBeLessThan(1e-3 * weights.dataSync()[0]!)
    tf.dispose([data.x, data.labels, s.mean, s.scale, x, model.weights, model.bias, gradient, weights])
  })

  it('keeps smaller weights under a stronger penalty, and leaves no tensors behind', async () => {
    const data = blobs(3, 20, 10, 1, 2)
    const s = fitStandardiser(data.x)
    const examples = { x: standardise(data.x, s), labels: data.labels }
    const curvature = largestEigenvalue(examples.x)
    const before = tf.memory().numTensors
    const norms: number[] = []
    for (const weightDecay of [1e-3, 1e-1]) {
      const model = await fitLinear(examples, { classes: 3, weightDecay, iterations: 100, curvature })
      norms.push(tf.tidy(() => model.weights.norm().dataSync()[0]!))
      tf.dispose([model.weights, model.bias])
    }
    expect(norms[1]).toBeLessThan(norms[0]! / 2)
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([data.x, data.labels, s.mean, s.scale, examples.x])
  })
})
