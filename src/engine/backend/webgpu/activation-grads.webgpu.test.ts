import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSwiftShader } from '../../../../tests/support/swiftshader'
import { releaseBackend, selectBackend } from '../select'
import { randomValues, relativeError } from '../test-support'
import { countPrograms } from './test-support'
import { installFusedActivationGrads, uninstallFusedActivationGrads } from './fused-activation-grads'

/**
 * ReLU's and LeakyReLU's gradients in one program each on webgpu (fused-activation-grads.ts) against tfjs's own
 * gradients on cpu (which the wrapper hands straight back to tfjs), on the shapes a DCGAN activates, with values
 * exactly at zero (where both take the lower slope); then the programs counted, and the tensor count kept flat.
 */

beforeAll(() => requireSwiftShader())
afterAll(() => releaseBackend())

const SHAPES: Array<{ label: string; shape: number[] }> = [
  { label: "G's 4×4 projection, batch 1, 64 maps", shape: [1, 4, 4, 64] },
  { label: "D's 16 px layer, batch 2, 32 maps", shape: [2, 16, 16, 32] },
  { label: 'a 32 px layer, batch 3, 8 maps (not a multiple of a workgroup)', shape: [3, 32, 32, 8] },
  { label: 'a dense layer [batch, units]', shape: [5, 7] }
]

const ACTIVATIONS: Array<{ name: string; apply: (x: tf.Tensor) => tf.Tensor }> = [
  { name: 'ReLU', apply: (x) => tf.relu(x) },
  { name: 'LeakyReLU (α 0.2)', apply: (x) => tf.leakyRelu(x, 0.2) }
]

/** Random values with every fifth one exactly zero: the boundary where the two slopes meet. */
function inputValues(shape: number[], seed: number): Float32Array {
  const { values } = randomValues(shape, seed)
  for (let i = 0; i < values.length; i += 5) values[i] = 0
  return values
}

/** x's gradient of Σ act(x)·w on the named backend. */
async function gradient(backend: string, apply: (x: tf.Tensor) => tf.Tensor, shape: number[]): Promise<Float32Array> {
  await tf.setBackend(backend)
  const x = tf.tensor(inputValues(shape, 51), shape)
  const w = tf.tensor(randomValues(shape, 52).values, shape)
  const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(apply(input), w)))(x)
  const values = (await dx.data()) as Float32Array
  tf.dispose([x, w, dx])
  return values
}

describe("the studio's one-program activation gradients on webgpu", () => {
  beforeAll(async () => {
    const choice = await selectBackend('webgpu')
    expect(choice.backend).toBe('webgpu')
  }, 300_000)

  for (const { name, apply } of ACTIVATIONS) {
    for (const { label, shape } of SHAPES) {
      it(`match tfjs's ${name} gradient on cpu: ${label}`, async () => {
        const expected = await gradient('cpu', apply, shape)
        const actual = await gradient('webgpu', apply, shape)
        expect(actual.length).toBe(expected.length)
        // The same products of the same float32 values: equal, not merely close.
        expect(relativeError(actual, expected)).toBe(0)
      }, 300_000)
    }
  }

  it('run in one program each where tfjs dispatches two (ReLU) and three (LeakyReLU), and keep the tensor count flat', async () => {
    await tf.setBackend('webgpu')
    const shape = [2, 8, 8, 16]
    const x = tf.tensor(inputValues(shape, 61), shape)
    const dy = tf.tensor(randomValues(shape, 62).values, shape)
    const counts = async (apply: (x: tf.Tensor) => tf.Tensor): Promise<number> => {
      const step = (): void => tf.dispose(tf.grad(apply)(x, dy))
      step()
      const before = tf.memory().numTensors
      const programs = await countPrograms(step)
      expect(tf.memory().numTensors).toBe(before)
      return programs
    }
    const [relu, leaky] = ACTIVATIONS.map((a) => a.apply) as [(x: tf.Tensor) => tf.Tensor, (x: tf.Tensor) => tf.Tensor]
    // Forward one program, backward one.
    expect(await counts(relu)).toBe(2)
    expect(await counts(leaky)).toBe(2)
    uninstallFusedActivationGrads()
    try {
      expect(await counts(relu)).toBe(3)
      expect(await counts(leaky)).toBe(4)
    } finally {
      installFusedActivationGrads()
    }
    tf.dispose([x, dy])
  }, 300_000)
})
