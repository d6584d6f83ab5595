import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { Rng } from '../../shared/latent/random'
import { selectBackend } from '../backend/select'
import { countCorrect, disposeModel, fitCentring, fitStandardiser, LinearFitter, standardise } from './classifier'

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
  it('standardises to zero mean and unit total variance, dropping constant dimensions', async () => {
    const raw = tf.tensor2d([
      [1, 5, 100],
      [3, 5, 300],
      [5, 5, 200]
    ])
    const s = await fitStandardiser(raw)
    const x = standardise(raw, s)
    const { mean, variance } = tf.moments(x, 0)
    expect(Array.from(mean.dataSync()).every((v) => Math.abs(v) < 1e-6)).toBe(true)
    // Two live dimensions share the unit variance; the constant one is dropped.
    expect(Array.from(variance.dataSync())).toEqual([expect.closeTo(0.5, 5), 0, expect.closeTo(0.5, 5)])
    tf.dispose([raw, s.mean, s.scale, x, mean, variance])
  })

  it('separates well-separated classes, and converges to the penalised optimum (zero gradient)', async () => {
    const data = blobs(4, 30, 20, 0.3, 1)
    const s = await fitStandardiser(data.x)
    const x = standardise(data.x, s)
    const examples = { x, labels: data.labels }
    const weightDecay = 1e-2
    const fitter = await LinearFitter.create(examples, 4)
    const model = await fitter.fit({ weightDecay, iterations: 400 })
    expect(await countCorrect(model, examples)).toBe(120)
    const gradient = tf.tidy(() => {
      const residual = tf.softmax(x.matMul(model.weights).add(model.bias)).sub(tf.oneHot(data.labels, 4).toFloat()).div(120)
      return tf.matMul(x, residual, true, false).add(model.weights.mul(weightDecay)).norm()
    })
    const weights = model.weights.norm()
    expect(gradient.dataSync()[0]!).toBeLessThan(1e-3 * weights.dataSync()[0]!)
    disposeModel(model)
    fitter.dispose()
    tf.dispose([data.x, data.labels, s.mean, s.scale, x, gradient, weights])
  })

  it('takes the same steps through the Gram matrix when there are more features than examples', async () => {
    const data = blobs(3, 5, 40, 1, 3)
    const s = await fitStandardiser(data.x)
    const examples = { x: standardise(data.x, s), labels: data.labels }
    const models = []
    for (const form of ['weights', 'gram'] as const) {
      const fitter = await LinearFitter.create(examples, 3, form)
      const first = await fitter.fit({ weightDecay: 1e-2, iterations: 50 })
      // A warm start continues the same path in both forms.
      models.push(await fitter.fit({ weightDecay: 1e-3, iterations: 50, from: first }))
      disposeModel(first)
      fitter.dispose()
    }
    const [byWeights, byGram] = models.map((m) => Array.from(m.weights.dataSync())) as [number[], number[]]
    const scale = Math.max(...byWeights.map(Math.abs))
    for (let i = 0; i < byWeights.length; i++) expect(Math.abs(byWeights[i]! - byGram[i]!)).toBeLessThan(1e-3 * scale)
    models.forEach((m) => disposeModel(m))
    tf.dispose([data.x, data.labels, s.mean, s.scale, examples.x])
  })

  it('the L2-SVM (one-vs-rest squared hinge) converges to its optimum on centred raw features, by weights or Gram matrix', async () => {
    const data = blobs(3, 8, 30, 1.5, 4)
    const c = fitCentring(data.x)
    const x = standardise(data.x, c)
    const examples = { x, labels: data.labels }
    // LinearSVC's C = 0.01 for 24 examples: λ = 1/(C·n).
    const weightDecay = 1 / (0.01 * 24)
    for (const form of ['weights', 'gram'] as const) {
      const fitter = await LinearFitter.create(examples, 3, form, 'squaredHinge')
      const model = await fitter.fit({ weightDecay, iterations: 400 })
      const [gradW, gradB, weights] = tf.tidy((): tf.Tensor[] => {
        const y = tf.oneHot(data.labels, 3).toFloat().mul(2).sub(1)
        const z = x.matMul(model.weights).add(model.bias)
        const residual = y
          .mul(tf.relu(tf.sub(1, y.mul(z))))
          .mul(-2)
          .div(24)
        return [tf.matMul(x, residual, true, false).add(model.weights.mul(weightDecay)).norm(), residual.sum(0).norm(), model.weights.norm()]
      }) as [tf.Tensor, tf.Tensor, tf.Tensor]
      expect(gradW.dataSync()[0]!).toBeLessThan(1e-4 * weightDecay * weights.dataSync()[0]!)
      expect(gradB.dataSync()[0]!).toBeLessThan(1e-5)
      expect(await countCorrect(model, examples)).toBeGreaterThanOrEqual(22)
      disposeModel(model)
      fitter.dispose()
      tf.dispose([gradW, gradB, weights])
    }
    tf.dispose([data.x, data.labels, c.mean, c.scale, x])
  })

  it('keeps smaller weights under a stronger penalty, and leaves no tensors behind', async () => {
    const data = blobs(3, 20, 10, 1, 2)
    const s = await fitStandardiser(data.x)
    const examples = { x: standardise(data.x, s), labels: data.labels }
    const before = tf.memory().numTensors
    const fitter = await LinearFitter.create(examples, 3)
    const norms: number[] = []
    for (const weightDecay of [1e-3, 1e-1]) {
      const model = await fitter.fit({ weightDecay, iterations: 100 })
      norms.push(tf.tidy(() => model.weights.norm().dataSync()[0]!))
      disposeModel(model)
    }
    fitter.dispose()
    expect(norms[1]).toBeLessThan(norms[0]! / 2)
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([data.x, data.labels, s.mean, s.scale, examples.x])
  })
})
