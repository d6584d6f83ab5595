import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/select'
import { buildDiscriminator, buildGenerator, describeLayers } from '../model'
import { forward, forwardOutput } from './forward'
import type { Network } from './models'
import { tinyModel } from '../train/test-support'

// The authors' Theano layer options (ModelConfig padding 'symmetric', projectionNorm 'unit'): the padding and
// cropping layers are not in the plan, so the explorer's layer-by-layer pass must run them with their conv.

const THEANO = tinyModel({ channels: 3, kernelSize: 5, padding: 'symmetric', projectionNorm: 'unit', batchNormEpsilon: 1e-8 })

beforeAll(async () => {
  await selectBackend('wasm')
})

function network(net: 'G' | 'D', model: tf.LayersModel): Network {
  const plans = describeLayers(THEANO)
  return { net, model, plan: net === 'G' ? plans.generator : plans.discriminator, config: THEANO, batchStats: false, erase: null }
}

describe('forward on a model with symmetric padding and per-unit projection norm', () => {
  it('gives what tfjs computes with the whole model, and every planned layer its planned shape', () => {
    const generator = buildGenerator(THEANO, 3)
    const discriminator = buildDiscriminator(THEANO, 4)
    try {
      const before = tf.memory().numTensors
      tf.tidy(() => {
        const z = tf.randomNormal([3, THEANO.zDim], 0, 1, 'float32', 5)
        const G = network('G', generator)
        const layered = forward(G, z, { keep: () => true, freeIntermediates: false })
        for (const { spec, output } of layered) expect(output.shape.slice(1)).toEqual([...spec.outputShape])
        const images = forwardOutput(G, z)
        expect(tf.max(tf.abs(images.sub(generator.predict(z) as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6)
        const D = network('D', discriminator)
        const verdict = forwardOutput(D, images)
        expect(tf.max(tf.abs(verdict.sub(discriminator.predict(images) as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6)
      })
      expect(tf.memory().numTensors).toBe(before)
    } finally {
      generator.dispose()
      discriminator.dispose()
    }
  })
})
