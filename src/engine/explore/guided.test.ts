import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelSource } from '../../shared/api/explore'
import { selectBackend } from '../backend/select'
import { features } from './features'
import { guided, guidedActivation } from './guided'
import { ModelCache } from './models'
import { GRAY, correlation, expectNoTensorGrowth, spread, trainedCheckpoint, zBatch } from './test-support'

/**
 * Guided backpropagation (paper Fig. 5) on a D trained for 30 steps on discs, against a random-init D and the
 * plain gradient.
 */

let root: string
let models: ModelCache
let checkpoint: ModelSource
const z = zBatch(GRAY, 31, 1)

beforeAll(async () => {
  await selectBackend('wasm')
  root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-guided-'))
  const trained = await trainedCheckpoint(root)
  trained.trainer.dispose()
  checkpoint = trained.source
  models = new ModelCache()
})

afterAll(async () => {
  models.dispose()
  await rm(root, { recursive: true, force: true })
})

describe('guided backpropagation', () => {
  it('passes a gradient back only where both it and the activation input are positive, also through LeakyReLU', () => {
    const x = tf.tensor1d([-2, -0.5, 0.5, 2, 1])
    const upstream = tf.tensor1d([1, -1, 1, -1, 3])
    const value = guidedActivation(x, 0.2)
    const gradient = tf.grad((t: tf.Tensor) => guidedActivation(t, 0.2).mul(upstream).sum())(x)
    const plain = tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2).mul(upstream).sum())(x)
    // The forward pass is the LeakyReLU's own.
    expect(Array.from(value.dataSync())).toEqual(Array.from(tf.leakyRelu(x, 0.2).dataSync()))
    expect(Array.from(gradient.dataSync())).toEqual([0, 0, 1, 0, 3])
    expect(Array.from(plain.dataSync()).map((v) => Math.round(v * 10) / 10)).toEqual([0.2, -0.2, 1, -1, 3])
    tf.dispose([x, upstream, value, gradient, plain])
  })

  it('is not blank, differs from the plain gradient, and differs between the trained and a random D', async () => {
    const result = await guided(models, { models: checkpoint, randomSeed: 1, input: { kind: 'z', z }, layer: 'd_conv2', channel: null })
    for (const image of [result.trained, result.random, result.plain, result.image]) {
      expect([image.width, image.height]).toEqual([32, 32])
    }
    expect(spread(result.trained)).toBeGreaterThan(5)
    expect(spread(result.random)).toBeGreaterThan(5)
    expect(spread(result.plain)).toBeGreaterThan(5)
    expect(correlation(result.trained, result.plain)).toBeLessThan(0.9)
    expect(Math.abs(correlation(result.trained, result.random))).toBeLessThan(0.9)
  })

  it('picks the map that fires most when no channel is given, as the feature view ranks it', async () => {
    const result = await guided(models, { models: checkpoint, randomSeed: 1, input: { kind: 'z', z }, layer: 'd_lrelu1', channel: null })
    const ranked = await features(models, { models: checkpoint, net: 'D', input: { kind: 'z', z }, layer: 'd_lrelu1', maxMapsPerLayer: 1 })
    expect(result.channel).toBe(ranked.layers[0]!.maps[0]!.channel)
    expect(result.layer).toBe('d_lrelu1')
    expect(result.image.data).toEqual(ranked.image.data)
  })

  it('explains the channel asked for, and another channel differently', async () => {
    const first = await guided(models, { models: checkpoint, randomSeed: 1, input: { kind: 'z', z }, layer: 'd_conv2', channel: 3 })
    const second = await guided(models, { models: checkpoint, randomSeed: 1, input: { kind: 'z', z }, layer: 'd_conv2', channel: 4 })
    expect([first.channel, second.channel]).toEqual([3, 4])
    expect(first.trained.data).not.toEqual(second.trained.data)
  })

  it('works on an image input', async () => {
    const ranked = await features(models, { models: checkpoint, net: 'D', input: { kind: 'z', z }, layer: 'd_conv0', maxMapsPerLayer: 1 })
    const fromImage = await guided(models, {
      models: checkpoint,
      randomSeed: 1,
      input: { kind: 'image', image: ranked.image },
      layer: 'd_conv2',
      channel: null
    })
    const fromZ = await guided(models, { models: checkpoint, randomSeed: 1, input: { kind: 'z', z }, layer: 'd_conv2', channel: null })
    // The same pixels, so the same explanation (up to the 8-bit rounding of the image).
    expect(correlation(fromImage.trained, fromZ.trained)).toBeGreaterThan(0.95)
  })

  it('refuses a layer without feature maps and a channel the layer does not have', async () => {
    await expect(guided(models, { models: checkpoint, randomSeed: 1, input: { kind: 'z', z }, layer: 'd_logit', channel: null })).rejects.toThrow(
      /d_conv0, d_conv1, d_conv2/
    )
    await expect(guided(models, { models: checkpoint, randomSeed: 1, input: { kind: 'z', z }, layer: 'd_conv0', channel: 8 })).rejects.toThrow(/8 feature maps/)
  })

  it('keeps the tensor count flat', async () => {
    await expectNoTensorGrowth(() => guided(models, { models: checkpoint, randomSeed: 2, input: { kind: 'z', z }, layer: 'd_conv1', channel: null }))
  })
})
