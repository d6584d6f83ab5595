import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSwiftShader } from '../../../../tests/support/swiftshader'
import { variableOf } from '../../train/gan-step'
import { releaseBackend, selectBackend } from '../select'
import { randomValues, relativeError } from '../test-support'
import { countPrograms } from './test-support'
import { inferenceBatchNormActivation, installFusedBatchNorm, uninstallFusedBatchNorm, withActivationsFused } from './fused-batch-norm'

/**
 * The fused training-mode BatchNorm (fused-batch-norm.ts) on webgpu against tfjs-layers' own BatchNorm on cpu,
 * on the shapes a DCGAN normalises (G's 4×4 projection, its deconvolutions, D's convolutions, a dense layer's
 * [batch, units]): the output, the gradients of x, γ and β, and the moving mean and variance after the update.
 * Then: it dispatches far fewer GPU programs than tfjs's composite, keeps the tensor count flat, and leaves
 * inference (training: false) to tfjs. Last, in a model, with the ReLU or LeakyReLU that follows it applied in
 * its own programs (withActivationsFused): the same values as tfjs's BatchNorm and activation on cpu, and two
 * programs fewer.
 */

beforeAll(() => requireSwiftShader())
afterAll(() => releaseBackend())

const SHAPES: Array<{ label: string; shape: number[] }> = [
  { label: "G's 4×4 projection, batch 2, 64 maps", shape: [2, 4, 4, 64] },
  { label: 'a 16 px deconvolution, batch 4, 32 maps', shape: [4, 16, 16, 32] },
  { label: 'a 32 px layer, batch 1, 16 maps', shape: [1, 32, 32, 16] },
  { label: 'more rows than a workgroup has threads, 3 maps', shape: [8, 12, 12, 3] },
  { label: 'a dense layer [batch, units]', shape: [6, 48] }
]

interface Result {
  y: Float32Array
  dx: Float32Array
  dGamma: Float32Array
  dBeta: Float32Array
  movingMean: Float32Array
  movingVariance: Float32Array
}

function layerFor(shape: number[]): tf.layers.Layer {
  const channels = shape[shape.length - 1] as number
  const layer = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 })
  layer.build([null, ...shape.slice(1)])
  const weight = (seed: number, offset: number, scale: number): tf.Tensor => {
    const { values } = randomValues([channels], seed)
    return tf.tensor1d(values.map((v) => offset + scale * v))
  }
  // γ, β, moving mean, moving variance (positive), as the layer orders its weights.
  layer.setWeights([weight(11, 1, 0.2), weight(12, 0, 0.3), weight(13, 0, 0.5), weight(14, 1, 0.5)])
  return layer
}

/** A layer used on tensors directly (never in a model) owns only its weights. */
function disposeLayer(layer: tf.layers.Layer): void {
  for (const weight of layer.weights) weight.dispose()
}

/** What one training-mode pass gives (loss Σ y·w, w fixed), inside `scope`: y, the gradients, the moving statistics. */
async function measurePass(
  shape: number[],
  seed: number,
  apply: (input: tf.Tensor) => tf.Tensor,
  owner: { trainableWeights: tf.LayerVariable[]; nonTrainableWeights: tf.LayerVariable[] },
  scope: <T>(fn: () => T) => T = (fn) => fn()
): Promise<Result> {
  const x = tf.tensor(randomValues(shape, seed).values, shape)
  const w = tf.tensor(randomValues(shape, seed + 1).values, shape)
  const [gamma, beta] = owner.trainableWeights.map(variableOf) as [tf.Variable, tf.Variable]
  const out: { y?: tf.Tensor } = {}
  const { value, grads } = scope(() =>
    tf.variableGrads(() => {
      const y = apply(x)
      out.y = tf.keep(y)
      return tf.sum<tf.Scalar>(tf.mul(y, w))
    }, [gamma, beta])
  )
  const dx = scope(() => tf.grad((input: tf.Tensor) => tf.sum(tf.mul(apply(input), w)))(x))
  const read = async (t: tf.Tensor | undefined): Promise<Float32Array> => (await (t as tf.Tensor).data()) as Float32Array
  const [movingMean, movingVariance] = owner.nonTrainableWeights.map((v) => v.read())
  const result = {
    y: await read(out.y),
    dx: await read(dx),
    dGamma: await read(grads[gamma.name]),
    dBeta: await read(grads[beta.name]),
    // Two training passes ran (the variable gradients and x's), so the moving statistics were updated twice.
    movingMean: await read(movingMean),
    movingVariance: await read(movingVariance)
  }
  tf.dispose([x, w, ...(out.y ? [out.y] : []), value, dx, ...Object.values(grads)])
  return result
}

/** One training-mode pass of a lone BatchNorm layer with its gradients, on the named backend. */
async function trainingPass(backend: string, shape: number[]): Promise<Result> {
  await tf.setBackend(backend)
  const layer = layerFor(shape)
  const result = await measurePass(shape, 21, (input) => layer.apply(input, { training: true }) as tf.Tensor, layer)
  disposeLayer(layer)
  return result
}

describe('fused BatchNorm on webgpu', () => {
  beforeAll(async () => {
    const choice = await selectBackend('webgpu')
    expect(choice.backend).toBe('webgpu')
  }, 300_000)

  for (const { label, shape } of SHAPES) {
    it(`matches tfjs's BatchNorm on cpu: ${label}`, async () => {
      const expected = await trainingPass('cpu', shape)
      const actual = await trainingPass('webgpu', shape)
      for (const key of Object.keys(expected) as Array<keyof Result>) {
        expect(relativeError(actual[key], expected[key]), key).toBeLessThan(2e-5)
      }
    }, 300_000)
  }

  it('dispatches a fraction of the programs, and keeps the tensor count flat', async () => {
    await tf.setBackend('webgpu')
    const shape = [4, 8, 8, 32]
    const layer = layerFor(shape)
    const x = tf.tensor(randomValues(shape, 31).values, shape)
    const step = (): void => {
      tf.tidy(() => {
        tf.variableGrads(() => tf.sum<tf.Scalar>(layer.apply(x, { training: true }) as tf.Tensor), layer.trainableWeights.map(variableOf))
      })
    }
    step()
    const before = tf.memory().numTensors
    const fused = await countPrograms(step)
    step()
    expect(tf.memory().numTensors).toBe(before)
    uninstallFusedBatchNorm()
    let composite: number
    try {
      composite = await countPrograms(step)
    } finally {
      installFusedBatchNorm()
    }
    // Forward 3 (statistics, normalisation, both moving averages) and backward 2 (the sums; dx, dγ and dβ),
    // plus the loss's own 2 (the sum, and its gradient's broadcast).
    expect(fused).toBe(7)
    expect(composite).toBeGreaterThan(3 * fused)
    tf.dispose(x)
    disposeLayer(layer)
  }, 300_000)

  it('leaves inference to tfjs-layers', async () => {
    await tf.setBackend('webgpu')
    const shape = [2, 4, 4, 8]
    const layer = layerFor(shape)
    const x = tf.tensor(randomValues(shape, 41).values, shape)
    const programs = await countPrograms(() => tf.dispose(layer.apply(x, { training: false }) as tf.Tensor))
    // tfjs's inference path: one FusedBatchNorm program over the moving statistics.
    expect(programs).toBe(1)
    tf.dispose(x)
    disposeLayer(layer)
  }, 300_000)
})

const ACTIVATIONS = [
  { name: 'ReLU', layer: (): tf.layers.Layer => tf.layers.activation({ activation: 'relu' }) },
  // Applied twice (by the BatchNorm and again by its layer) it would scale negatives by 0.04: the test would see it.
  { name: 'LeakyReLU (α 0.2)', layer: (): tf.layers.Layer => tf.layers.leakyReLU({ alpha: 0.2 }) }
]

/** input → BatchNorm → activation, as G and D chain them. */
function modelFor(shape: number[], activation: () => tf.layers.Layer): tf.LayersModel {
  const input = tf.input({ shape: shape.slice(1) })
  const output = activation().apply(layerFor(shape).apply(input)) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: output })
}

/** A training-mode pass of the model with its gradients, inside withActivationsFused, on the named backend. */
async function modelPass(backend: string, shape: number[], activation: () => tf.layers.Layer): Promise<Result> {
  await tf.setBackend(backend)
  const model = modelFor(shape, activation)
  const result = await measurePass(shape, 23, (input) => model.apply(input, { training: true }) as tf.Tensor, model, withActivationsFused)
  model.dispose()
  return result
}

describe('fused BatchNorm with the activation after it, on webgpu', () => {
  beforeAll(async () => {
    const choice = await selectBackend('webgpu')
    expect(choice.backend).toBe('webgpu')
  }, 300_000)

  for (const { name, layer } of ACTIVATIONS) {
    for (const { label, shape } of SHAPES.slice(0, 2)) {
      it(`matches tfjs's BatchNorm and ${name} on cpu: ${label}`, async () => {
        const expected = await modelPass('cpu', shape, layer)
        const actual = await modelPass('webgpu', shape, layer)
        for (const key of Object.keys(expected) as Array<keyof Result>) {
          expect(relativeError(actual[key], expected[key]), key).toBeLessThan(2e-5)
        }
        // The activation did something: some outputs were negative before it.
        expect(expected.y.some((v, i) => v !== actual.y[i] || v <= 0)).toBe(true)
      }, 300_000)
    }
  }

  it('saves a program each way, only inside withActivationsFused, and keeps the tensor count flat', async () => {
    await tf.setBackend('webgpu')
    const shape = [4, 8, 8, 32]
    const model = modelFor(shape, (ACTIVATIONS[1] as (typeof ACTIVATIONS)[number]).layer)
    const x = tf.tensor(randomValues(shape, 32).values, shape)
    const step = (): void => {
      tf.tidy(() => {
        tf.variableGrads(() => tf.sum<tf.Scalar>(model.apply(x, { training: true }) as tf.Tensor), model.trainableWeights.map(variableOf))
      })
    }
    withActivationsFused(step)
    const before = tf.memory().numTensors
    const fused = await countPrograms(() => withActivationsFused(step))
    expect(tf.memory().numTensors).toBe(before)
    const apart = await countPrograms(step)
    // BatchNorm's 5 and the loss's 2; apart, the activation's own program and its gradient's.
    expect(fused).toBe(7)
    expect(apart).toBe(9)
    tf.dispose(x)
    model.dispose()
  }, 300_000)
})

describe('inference BatchNorm with the activation after it, on webgpu', () => {
  beforeAll(async () => {
    const choice = await selectBackend('webgpu')
    expect(choice.backend).toBe('webgpu')
  }, 300_000)

  /** The output and x's gradient (loss Σ out·w) of BatchNorm then LeakyReLU(α), in inference mode. */
  async function inferencePass(backend: string, shape: number[], alpha: number, fused: boolean): Promise<{ y: Float32Array; dx: Float32Array }> {
    await tf.setBackend(backend)
    const layer = layerFor(shape)
    const x = tf.tensor(randomValues(shape, 25).values, shape)
    const w = tf.tensor(randomValues(shape, 26).values, shape)
    const apply = (input: tf.Tensor): tf.Tensor => {
      const together = fused ? inferenceBatchNormActivation(layer, input, alpha) : null
      if (fused && !together) throw new Error('the fused inference kernel did not run')
      return together ?? tf.leakyRelu(layer.apply(input, { training: false }) as tf.Tensor, alpha)
    }
    const y = tf.tidy(() => apply(x))
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(apply(input), w)))(x)
    const result = { y: (await y.data()) as Float32Array, dx: (await dx.data()) as Float32Array }
    tf.dispose([x, w, y, dx])
    disposeLayer(layer)
    return result
  }

  for (const alpha of [0, 0.2]) {
    it(`is tfjs's BatchNorm and activation (slope ${alpha}) in one program, and passes x's gradient`, async () => {
      const shape = [2, 8, 8, 16]
      const expected = await inferencePass('cpu', shape, alpha, false)
      const apart = await inferencePass('webgpu', shape, alpha, false)
      const together = await inferencePass('webgpu', shape, alpha, true)
      // The same expression as tfjs-backend-webgpu's BatchNorm program, then the activation: equal values.
      expect(relativeError(together.y, apart.y)).toBe(0)
      expect(relativeError(together.y, expected.y)).toBeLessThan(2e-5)
      expect(relativeError(together.dx, expected.dx)).toBeLessThan(2e-5)
      await tf.setBackend('webgpu')
      const layer = layerFor(shape)
      const x = tf.tensor(randomValues(shape, 27).values, shape)
      expect(await countPrograms(() => tf.dispose(inferenceBatchNormActivation(layer, x, alpha) ?? []))).toBe(1)
      tf.dispose(x)
      disposeLayer(layer)
    }, 300_000)
  }

  it('refuses a gradient with respect to its statistics or weights, by name', async () => {
    await tf.setBackend('webgpu')
    const shape = [2, 4, 4, 8]
    const layer = layerFor(shape)
    const x = tf.tensor(randomValues(shape, 28).values, shape)
    const [gamma] = layer.trainableWeights.map(variableOf) as [tf.Variable]
    expect(() => tf.variableGrads(() => tf.sum<tf.Scalar>(inferenceBatchNormActivation(layer, x, 0) as tf.Tensor), [gamma])).toThrow(
      /StudioBatchNormInference gives no gradient with respect to γ/
    )
    tf.dispose(x)
    disposeLayer(layer)
  }, 300_000)
})
