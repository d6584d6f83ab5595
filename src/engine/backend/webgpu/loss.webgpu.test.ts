import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSwiftShader } from '../../../../tests/support/swiftshader'
import { binaryCrossEntropyWithLogits } from '../../train/loss'
import { releaseBackend, selectBackend } from '../select'
import { randomValues } from '../test-support'
import { countPrograms } from './test-support'

/**
 * The DCGAN's loss in one program each way on webgpu (kernels/sigmoid-cross-entropy.ts, through
 * train/loss.ts) against tfjs's `losses.sigmoidCrossEntropy` on cpu: the loss and D's logits' gradient, for both
 * labels, on a single logit, D's batches, and more logits than a workgroup has threads; with logits far out in
 * both tails (where the loss is dominated by log1p of a tiny value) and exactly at zero.
 */

beforeAll(() => requireSwiftShader())
afterAll(() => releaseBackend())

/** D's logits for a batch: uniform in [−4, 4), with the tails and zero every few places. */
function logitValues(count: number, seed: number): Float32Array {
  const values = randomValues([count], seed).values.map((v) => 4 * v)
  const specials = [0, 30, -30, 90, -90, 17, -17]
  for (let i = 0; i < count; i += 9) values[i] = specials[(i / 9) % specials.length] as number
  return values
}

async function lossAndGradient(backend: string, values: Float32Array, label: 0 | 1): Promise<{ loss: number; gradient: Float32Array }> {
  await tf.setBackend(backend)
  const logits = tf.tensor2d(values, [values.length, 1])
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => binaryCrossEntropyWithLogits(x, label))(logits)
  const loss = (await value.data())[0] as number
  const gradient = (await grad.data()) as Float32Array
  tf.dispose([logits, value, grad])
  return { loss, gradient }
}

/** max|actual − expected| / max|expected|. */
function relative(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0
  let scale = 0
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)))
    scale = Math.max(scale, Math.abs(expected[i] ?? 0))
  }
  return worst / scale
}

describe("the studio's one-program loss on webgpu", () => {
  beforeAll(async () => {
    const choice = await selectBackend('webgpu')
    expect(choice.backend).toBe('webgpu')
  }, 300_000)

  for (const label of [1, 0] as const) {
    for (const count of [1, 64, 300]) {
      it(`matches tfjs's sigmoidCrossEntropy on cpu: label ${label}, ${count} logit${count === 1 ? '' : 's'}`, async () => {
        const values = count === 1 ? Float32Array.of(0.7) : logitValues(count, 70 + count)
        const expected = await lossAndGradient('cpu', values, label)
        const actual = await lossAndGradient('webgpu', values, label)
        expect(Math.abs(actual.loss - expected.loss) / Math.abs(expected.loss)).toBeLessThan(1e-6)
        // Zero included: there both give the derivative of the smooth loss (softplus), (½ − label)/n.
        expect(relative(actual.gradient, expected.gradient)).toBeLessThan(1e-5)
      }, 300_000)
    }
  }

  it('keeps the loss of confident, correct logits (log1p of tiny values), which tfjs-backend-webgpu rounds to 0', async () => {
    const values = Float32Array.from({ length: 64 }, (_, i) => -20 - (i % 8))
    const expected = await lossAndGradient('cpu', values, 0)
    const actual = await lossAndGradient('webgpu', values, 0)
    expect(expected.loss).toBeGreaterThan(0)
    expect(expected.loss).toBeLessThan(1e-8)
    expect(Math.abs(actual.loss - expected.loss) / expected.loss).toBeLessThan(1e-5)
    const tfjs = tf.tidy(() => {
      const logits = tf.tensor2d(values, [values.length, 1])
      return tf.losses.sigmoidCrossEntropy(tf.zerosLike(logits), logits)
    })
    expect((await tfjs.data())[0]).toBe(0)
    tfjs.dispose()
  }, 300_000)

  it('runs in one program forward and one backward where tfjs dispatches many, and keeps the tensor count flat', async () => {
    await tf.setBackend('webgpu')
    const logits = tf.tensor2d(logitValues(64, 81), [64, 1])
    const step = (): void => tf.dispose(tf.grad((x: tf.Tensor) => binaryCrossEntropyWithLogits(x, 1))(logits))
    step()
    const before = tf.memory().numTensors
    expect(await countPrograms(step)).toBe(2)
    expect(tf.memory().numTensors).toBe(before)
    const tfjs = await countPrograms(() => tf.dispose(tf.grad((x: tf.Tensor) => tf.losses.sigmoidCrossEntropy(tf.onesLike(x), x))(logits)))
    // tfjs 4.22's composite: the label tensor, ten programs forward and sixteen back.
    expect(tfjs).toBe(27)
    logits.dispose()
  }, 300_000)
})
