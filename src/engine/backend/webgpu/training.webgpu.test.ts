import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSwiftShader } from '../../../../tests/support/swiftshader'
import type { ModelConfig } from '../../../shared/formats/model'
import { noiseForSeed } from '../../../shared/latent/random'
import { discImages } from '../../data/test-datasets'
import { buildDiscriminator, buildGenerator } from '../../model'
import { createAdam } from '../../train/adam'
import { type GanPair, logitsOf, trainableVariables, trainGanStep } from '../../train/gan-step'
import { tinyModel } from '../../train/test-support'
import { ADAM_EPSILON } from '../../train/trainer'
import { releaseBackend, selectBackend } from '../select'
import { relativeError } from '../test-support'

/**
 * The studio's training step (gan-step.ts: a D update then a G update, each by Adam) on webgpu against cpu, on
 * the paper's architecture at 32 px, 8 wide, from the same seeded weights and batches: the gradients Adam is
 * given, the losses, and the weights after two steps. Then the step on webgpu holds its tensor count and its GPU
 * memory flat.
 */

const MODEL: ModelConfig = tinyModel({ channels: 3 })
const BATCH = 4
const LEARNING_RATE = 2e-4

beforeAll(() => requireSwiftShader())
afterAll(() => releaseBackend())

interface Gan {
  pair: GanPair
  generator: tf.LayersModel
  discriminator: tf.LayersModel
  /** The gradients given to Adam, per update in the order they happened, each in its variable list's order. */
  gradients: Float32Array[][]
  /** Reads the gradients of the last step back (asynchronously: webgpu cannot read inside applyGradients). */
  flush(): Promise<void>
}

/** G, D and their Adam optimisers as the trainer makes them (Trainer.open), recording what Adam is given. */
function buildGan(): Gan {
  const generator = buildGenerator(MODEL, 3)
  const discriminator = buildDiscriminator(MODEL, 3)
  const pair: GanPair = {
    generator,
    discriminatorLogits: logitsOf(discriminator),
    generatorOptimizer: createAdam(LEARNING_RATE, 0.5, 0.999, ADAM_EPSILON),
    discriminatorOptimizer: createAdam(LEARNING_RATE, 0.5, 0.999, ADAM_EPSILON),
    generatorVariables: trainableVariables(generator),
    discriminatorVariables: trainableVariables(discriminator)
  }
  const gradients: Float32Array[][] = []
  const pending: tf.Tensor[][] = []
  for (const [optimizer, variables] of [
    [pair.discriminatorOptimizer, pair.discriminatorVariables],
    [pair.generatorOptimizer, pair.generatorVariables]
  ] as const) {
    const apply = optimizer.applyGradients.bind(optimizer)
    optimizer.applyGradients = (grads) => {
      // tfjs hands Adam a list of {name, tensor} (or, by its type, a map of them).
      const named: tf.NamedTensorMap = Array.isArray(grads) ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads
      const missing = variables.filter((v) => !named[v.name]).map((v) => v.name)
      if (missing.length) throw new Error(`Adam got no gradient for ${missing.join(', ')}`)
      pending.push(variables.map((v) => tf.keep((named[v.name] as tf.Tensor).clone())))
      apply(grads)
    }
  }
  const flush = async (): Promise<void> => {
    for (const tensors of pending.splice(0)) {
      gradients.push(await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array)))
      tf.dispose(tensors)
    }
  }
  return { pair, generator, discriminator, gradients, flush }
}

function disposeGan(gan: Gan): void {
  gan.generator.dispose()
  gan.discriminator.dispose()
  gan.pair.generatorOptimizer.dispose()
  gan.pair.discriminatorOptimizer.dispose()
}

/** Batch `i` of real images in [-1, 1] and its z, the same on every backend. */
function batch(i: number): { real: tf.Tensor4D; z: Float32Array } {
  const { imageSize: size, channels } = MODEL
  const bytes = discImages(BATCH, size, channels, 20 + i)
  const real = tf.tidy(() =>
    tf.tensor4d(
      Float32Array.from(bytes, (v) => v / 127.5 - 1),
      [BATCH, size, size, channels]
    )
  )
  const z = new Float32Array(BATCH * MODEL.zDim)
  for (let n = 0; n < BATCH; n++) z.set(noiseForSeed(50 + i, n, MODEL.zDim, MODEL.noise), n * MODEL.zDim)
  return { real, z }
}

async function weights(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.weights.map(async (w) => (await w.read().data()) as Float32Array))
}

async function twoSteps(backend: 'cpu' | 'webgpu') {
  await selectBackend(backend)
  const gan = buildGan()
  const losses = []
  for (let i = 0; i < 2; i++) {
    const { real, z } = batch(i)
    losses.push(await trainGanStep(gan.pair, real, z))
    real.dispose()
    await gan.flush()
  }
  const after = [...(await weights(gan.generator)), ...(await weights(gan.discriminator))]
  disposeGan(gan)
  return { gradients: gan.gradients, losses, after }
}

describe('a training step on webgpu', () => {
  let cpu: Awaited<ReturnType<typeof twoSteps>>
  let webgpu: Awaited<ReturnType<typeof twoSteps>>

  beforeAll(async () => {
    cpu = await twoSteps('cpu')
    webgpu = await twoSteps('webgpu')
  })

  it('gives Adam the gradients of every G and D variable that cpu gives it', () => {
    // The first step's D update, then its G update (through the updated D).
    for (const update of [0, 1]) {
      const expected = cpu.gradients[update]!
      const actual = webgpu.gradients[update]!
      expect(actual.length).toBe(expected.length)
      expected.forEach((reference, i) => {
        // Each gradient against its own largest value (most are far below 1). Same inputs, float32 sums in
        // another order: about √n · 2⁻²⁴ ≈ 1e-6 of the largest for the sums of up to 4096 terms here (measured:
        // at most 9e-7); 1e-5 allows for that and is far below a wrong or missing term (≥ 1e-2).
        const scale = Math.max(...Array.from(reference, Math.abs))
        expect(scale, `update ${update}, gradient ${i}`).toBeGreaterThan(0)
        const error = relativeError(
          Array.from(actual[i]!, (g) => g / scale),
          Array.from(reference, (g) => g / scale)
        )
        if (process.env['REPORT_ERRORS']) console.log(`update ${update}, gradient ${i}: ${error.toExponential(2)}`)
        expect(error, `update ${update}, gradient ${i}`).toBeLessThan(1e-5)
      })
    }
  })

  it('gives the losses and the weights of two Adam steps that cpu gives', () => {
    webgpu.losses.forEach((losses, step) => {
      const reference = cpu.losses[step]!
      const error = relativeError(
        [losses.dLoss, losses.gLoss, losses.dReal, losses.dFake],
        [reference.dLoss, reference.gLoss, reference.dReal, reference.dFake]
      )
      if (process.env['REPORT_ERRORS']) console.log(`losses of step ${step + 1}: ${error.toExponential(2)}`)
      // Means over the batch of values near 1: measured at most 1e-7.
      expect(error, `step ${step + 1}`).toBeLessThan(1e-5)
    })
    expect(webgpu.after.length).toBe(cpu.after.length)
    webgpu.after.forEach((values, i) => {
      // Adam's first steps move a weight by about the learning rate (2e-4) whatever its gradient's size, so a
      // gradient of the wrong sign would show as up to 4e-4. Agreeing gradients move weights alike (the step
      // depends on g / √v, where a common rounding error cancels; measured: at most 6e-7); lr/20 = 1e-5 is
      // between the two.
      const error = relativeError(values, cpu.after[i]!)
      if (process.env['REPORT_ERRORS']) console.log(`weight ${i}: ${error.toExponential(2)}`)
      expect(error, `weight ${i}`).toBeLessThan(LEARNING_RATE / 20)
    })
  })

  it('keeps its tensor count and its GPU memory flat across steps', async () => {
    await selectBackend('webgpu')
    const gan = buildGan()
    const memory = (): tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number } => tf.memory()
    const readings: Array<{ tensors: number; gpu: number; allocated: number }> = []
    for (let step = 0; step < 5; step++) {
      const { real, z } = batch(step)
      await trainGanStep(gan.pair, real, z)
      real.dispose()
      await gan.flush()
      const m = memory()
      readings.push({ tensors: m.numTensors, gpu: m.numBytesInGPU ?? NaN, allocated: m.numBytesAllocatedInGPU ?? NaN })
    }
    disposeGan(gan)
    // The first step creates Adam's moments; from the second on, nothing may accumulate: not tensors, not the
    // bytes they hold on the GPU, and not the buffers the backend keeps for reuse.
    const [, settled, ...later] = readings
    for (const reading of later) expect(reading).toEqual(settled)
    expect(settled!.gpu).toBeGreaterThan(0)
  })
})
