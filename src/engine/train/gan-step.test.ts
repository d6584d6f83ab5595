import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { noiseForSeed } from '../../shared/latent/random'
import { selectBackend } from '../backend/select'
import { discImages } from '../data/test-datasets'
import { buildDiscriminator, buildGenerator } from '../model'
import { createAdam } from './adam'
import { type GanPair, logitsOf, type StepLosses, trainableVariables, trainGanStep, withFrozenMovingStats } from './gan-step'
import { binaryCrossEntropyWithLogits } from './loss'
import { maxDifference, tinyModel, weightValues } from './test-support'

/**
 * trainGanStep runs G forward once per step, as PyTorch's example does, with the D update inside G's gradient
 * (its tape paused). Checked against the plain reading of the algorithm (G forward for the D update with its moving
 * statistics restored, then again for the G update): the same losses, weights and BatchNorm statistics bit for
 * bit over three steps, and one transposed convolution fewer per G layer at no more peak memory.
 */

const MODEL = tinyModel({ channels: 3 })
const BATCH = 4

beforeAll(async () => {
  await selectBackend('cpu')
})

function buildPair(): GanPair {
  const generator = buildGenerator(MODEL, 5)
  const discriminator = buildDiscriminator(MODEL, 5)
  return {
    generator,
    discriminatorLogits: logitsOf(discriminator),
    generatorOptimizer: createAdam(2e-4, 0.5, 0.999, 1e-8),
    discriminatorOptimizer: createAdam(2e-4, 0.5, 0.999, 1e-8),
    generatorVariables: trainableVariables(generator),
    discriminatorVariables: trainableVariables(discriminator)
  }
}

/** The step as the algorithm reads, G run twice: D's update on G(z), then G's through the updated D on G(z) again. */
async function twoPassStep(pair: GanPair, real: tf.Tensor4D, z: Float32Array): Promise<StepLosses> {
  const values = tf.tidy(() => {
    const noise = tf.tensor2d(z, [BATCH, z.length / BATCH])
    const fake = withFrozenMovingStats(pair.generator, () => pair.generator.apply(noise, { training: true }) as tf.Tensor)
    let probabilities: tf.Tensor | null = null
    const dLoss = pair.discriminatorOptimizer.minimize(
      () => {
        const realLogits = pair.discriminatorLogits.apply(real, { training: true }) as tf.Tensor
        const fakeLogits = pair.discriminatorLogits.apply(fake, { training: true }) as tf.Tensor
        probabilities = tf.keep(tf.stack([tf.sigmoid(realLogits).mean(), tf.sigmoid(fakeLogits).mean()]))
        return tf.add<tf.Scalar>(binaryCrossEntropyWithLogits(realLogits, 1), binaryCrossEntropyWithLogits(fakeLogits, 0))
      },
      true,
      pair.discriminatorVariables
    ) as tf.Scalar
    const gLoss = pair.generatorOptimizer.minimize(
      () => binaryCrossEntropyWithLogits(pair.discriminatorLogits.apply(pair.generator.apply(noise, { training: true }), { training: true }) as tf.Tensor, 1),
      true,
      pair.generatorVariables
    ) as tf.Scalar
    const kept = probabilities as tf.Tensor | null
    if (!kept) throw new Error('no probabilities')
    const all = tf.concat([tf.stack([dLoss, gLoss]), kept])
    kept.dispose()
    return all
  })
  const read = await values.data()
  values.dispose()
  return { dLoss: read[0] as number, gLoss: read[1] as number, dReal: read[2] as number, dFake: read[3] as number }
}

function batch(i: number): { real: tf.Tensor4D; z: Float32Array } {
  const bytes = discImages(BATCH, MODEL.imageSize, MODEL.channels, 40 + i)
  const real = tf.tensor4d(
    Float32Array.from(bytes, (v) => v / 127.5 - 1),
    [BATCH, MODEL.imageSize, MODEL.imageSize, MODEL.channels]
  )
  const z = new Float32Array(BATCH * MODEL.zDim)
  for (let n = 0; n < BATCH; n++) z.set(noiseForSeed(60 + i, n, MODEL.zDim, MODEL.noise), n * MODEL.zDim)
  return { real, z }
}

async function run(step: typeof trainGanStep): Promise<{ losses: StepLosses[]; weights: Float32Array[] }> {
  const pair = buildPair()
  const losses: StepLosses[] = []
  for (let i = 0; i < 3; i++) {
    const { real, z } = batch(i)
    losses.push(await step(pair, real, z))
    real.dispose()
  }
  // Every weight of both networks, BatchNorm's moving statistics included.
  const discriminator = pair.discriminatorLogits
  const weights = [...weightValues(pair.generator), ...weightValues(discriminator)]
  pair.generator.dispose()
  discriminator.dispose()
  pair.generatorOptimizer.dispose()
  pair.discriminatorOptimizer.dispose()
  return { losses, weights }
}

describe('a training step with one forward pass of G', () => {
  it('gives the losses, weights and moving statistics of the two-pass step, bit for bit', async () => {
    const once = await run(trainGanStep)
    const twice = await run(twoPassStep)
    expect(once.losses).toEqual(twice.losses)
    expect(once.weights.length).toBe(twice.weights.length)
    expect(maxDifference(once.weights, twice.weights)).toBe(0)
    // And the step did train: D's loss moved.
    expect(once.losses[0]?.dLoss).not.toBe(once.losses[2]?.dLoss)
  })

  it('runs one transposed convolution fewer per layer of G, at no more peak memory, and keeps the tensor count flat', async () => {
    const pair = buildPair()
    const { real, z } = batch(0)
    const profileOf = async (step: typeof trainGanStep): Promise<{ transposed: number; peakBytes: number }> => {
      const profile = await tf.profile(async () => {
        await step(pair, real, z)
      })
      return { transposed: profile.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length, peakBytes: profile.peakBytes }
    }
    await trainGanStep(pair, real, z)
    const before = tf.memory().numTensors
    const once = await profileOf(trainGanStep)
    expect(tf.memory().numTensors).toBe(before)
    const twice = await profileOf(twoPassStep)
    const layersOfG = pair.generator.layers.filter((layer) => layer.getClassName() === 'Conv2DTranspose').length
    expect(layersOfG).toBe(3)
    expect(twice.transposed - once.transposed).toBe(layersOfG)
    // The D update runs off G's tape: kept on it, its tensors would stay until G's gradient (1.6× the peak).
    expect(once.peakBytes).toBeLessThanOrEqual(twice.peakBytes)
    real.dispose()
    pair.generator.dispose()
  })
})
