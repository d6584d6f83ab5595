import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LayerFeatures } from '../../shared/api/explore'
import { selectBackend } from '../backend/select'
import { describeLayers } from '../model'
import { features } from './features'
import { filters } from './filters'
import { render } from './generate'
import { ModelCache } from './models'
import { RGB, expectNoTensorGrowth, untrained, zBatch } from './test-support'

let models: ModelCache
const source = untrained(RGB)
const z = zBatch(RGB, 21, 1)

beforeAll(async () => {
  await selectBackend('wasm')
  models = new ModelCache()
})

afterAll(() => models.dispose())

/** Every spatial layer's maps come strongest first, within the limit, one per channel at the layer's size. */
function expectRankedMaps(layer: LayerFeatures, maxMaps: number): void {
  const [height, width, channels] = layer.shape as [number, number, number]
  expect(layer.maps).toHaveLength(Math.min(maxMaps, channels))
  const strengths = layer.maps.map((m) => m.strength)
  expect(strengths).toEqual([...strengths].sort((a, b) => b - a))
  expect(new Set(layer.maps.map((m) => m.channel)).size).toBe(layer.maps.length)
  for (const map of layer.maps) {
    expect([map.image.width, map.image.height]).toEqual([width, height])
    expect(map.channel).toBeLessThan(channels)
  }
}

describe('features', () => {
  it("lists every layer of G with describeLayers' names and shapes, maps strongest first", async () => {
    const result = await features(models, { models: source, net: 'G', input: { kind: 'z', z }, layer: null, maxMapsPerLayer: 6 })
    const plan = describeLayers(RGB).generator.slice(1)
    expect(result.layers.map((l) => [l.name, l.kind, l.shape])).toEqual(plan.map((s) => [s.name, s.kind, [...s.outputShape]]))
    for (const layer of result.layers) {
      if (layer.shape.length === 3) expectRankedMaps(layer, 6)
      // g_project is the same numbers as g_reshape, shown there as maps.
      else expect(layer.maps).toEqual([])
    }
    expect([result.image.width, result.image.height]).toEqual([32, 32])
  })

  it("G's output image is what render draws for that z", async () => {
    const result = await features(models, { models: source, net: 'G', input: { kind: 'z', z }, layer: 'g_tanh', maxMapsPerLayer: 3 })
    const rendered = await render(models, { generator: source, z, count: 1 })
    expect(result.image.data).toEqual(rendered.images[0]!.data)
  })

  it('ranks maps by their mean activation', async () => {
    const result = await features(models, { models: source, net: 'G', input: { kind: 'z', z }, layer: 'g_relu1', maxMapsPerLayer: 1024 })
    const maps = result.layers[0]!.maps
    // The layer's channel means, computed directly with the whole model's own layers.
    const means = await models.use(source, async (pair) => {
      const { model } = await pair.network('G')
      const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer('g_relu1').output })
      const mean = tf.tidy(() => (probe.apply(tf.tensor2d(z, [1, RGB.zDim]), { training: true }) as tf.Tensor).mean([0, 1, 2]))
      const values = Array.from(await mean.data())
      mean.dispose()
      return values
    })
    expect(maps).toHaveLength(16)
    const expected = means.map((mean, channel) => ({ channel, mean })).sort((a, b) => b.mean - a.mean)
    expect(maps.map((m) => m.channel)).toEqual(expected.map((e) => e.channel))
    maps.forEach((m, i) => expect(m.strength).toBeCloseTo(expected[i]!.mean, 5))
  })

  it("lists every layer of D for an image rendered from a z, with D's verdict as one 1×1 map", async () => {
    const result = await features(models, { models: source, net: 'D', input: { kind: 'z', z }, layer: null, maxMapsPerLayer: 4 })
    const plan = describeLayers(RGB).discriminator.slice(1)
    expect(result.layers.map((l) => [l.name, l.shape])).toEqual(plan.map((s) => [s.name, [...s.outputShape]]))
    const rendered = await render(models, { generator: source, z, count: 1 })
    expect(result.image.data).toEqual(rendered.images[0]!.data)
    const byName = new Map(result.layers.map((l) => [l.name, l]))
    for (const name of ['d_conv0', 'd_lrelu0', 'd_conv1', 'd_bn1', 'd_lrelu2']) expectRankedMaps(byName.get(name)!, 4)
    expect(byName.get('d_flatten')!.maps).toEqual([])
    const logit = byName.get('d_logit')!.maps[0]!
    const probability = byName.get('d_sigmoid')!.maps[0]!
    expect(probability.strength).toBeCloseTo(1 / (1 + Math.exp(-logit.strength)), 5)
    expect([probability.image.width, probability.image.height]).toEqual([1, 1])
    expect(probability.image.data[0]).toBe(Math.round(255 * probability.strength))
  })

  it('takes an image as D input and shows it back as D saw it', async () => {
    const rendered = await render(models, { generator: source, z, count: 1 })
    const fromImage = await features(models, {
      models: source,
      net: 'D',
      input: { kind: 'image', image: rendered.images[0]! },
      layer: 'd_conv0',
      maxMapsPerLayer: 8
    })
    expect(fromImage.image.data).toEqual(rendered.images[0]!.data)
    expect(fromImage.layers.map((l) => l.name)).toEqual(['d_conv0'])
    expectRankedMaps(fromImage.layers[0]!, 8)
  })

  it('reports only the named layer', async () => {
    const result = await features(models, { models: source, net: 'D', input: { kind: 'z', z }, layer: 'd_lrelu1', maxMapsPerLayer: 2 })
    expect(result.layers.map((l) => [l.name, l.shape])).toEqual([['d_lrelu1', [8, 8, 16]]])
    expect(result.layers[0]!.maps).toHaveLength(2)
  })

  it('refuses an unknown layer, an image input for G and an image of the wrong size', async () => {
    await expect(features(models, { models: source, net: 'D', input: { kind: 'z', z }, layer: 'g_relu1', maxMapsPerLayer: 2 })).rejects.toThrow(
      /D has no layer 'g_relu1'.*d_conv0/
    )
    const image = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 4) }
    await expect(features(models, { models: source, net: 'G', input: { kind: 'image', image }, layer: null, maxMapsPerLayer: 2 })).rejects.toThrow(/z vector/)
    const small = { width: 16, height: 16, data: new Uint8Array(16 * 16 * 4) }
    await expect(features(models, { models: source, net: 'D', input: { kind: 'image', image: small }, layer: null, maxMapsPerLayer: 2 })).rejects.toThrow(
      /16×16.*32×32/
    )
  })

  it('keeps the tensor count flat', async () => {
    await expectNoTensorGrowth(() => features(models, { models: source, net: 'G', input: { kind: 'z', z }, layer: null, maxMapsPerLayer: 16 }))
    await expectNoTensorGrowth(() => features(models, { models: source, net: 'D', input: { kind: 'z', z }, layer: null, maxMapsPerLayer: 16 }))
    await expectNoTensorGrowth(() => features(models, { models: source, net: 'D', input: { kind: 'z', z }, layer: 'd_conv1', maxMapsPerLayer: 16 }))
  })
})

describe('filters', () => {
  it("shows D's first-layer kernels as one RGB tile per filter, the kernel's size, each using the full range", async () => {
    const result = await filters(models, { models: source })
    expect(result.count).toBe(RGB.discWidth)
    expect(result.kernelSize).toBe(RGB.kernelSize)
    expect(result.filters).toHaveLength(RGB.discWidth)
    for (const tile of result.filters) {
      expect([tile.width, tile.height]).toEqual([RGB.kernelSize, RGB.kernelSize])
      const rgb = Array.from(tile.data).filter((_, i) => i % 4 !== 3)
      expect(Math.min(...rgb)).toBe(0)
      expect(Math.max(...rgb)).toBe(255)
    }
    // Three input channels: the tiles are in colour, not gray.
    const tile = result.filters[0]!.data
    expect(Array.from({ length: 16 }, (_, p) => tile[p * 4] !== tile[p * 4 + 1]).some(Boolean)).toBe(true)
  })

  it('gives gray tiles for a grayscale model', async () => {
    const gray = await filters(models, { models: untrained({ ...RGB, channels: 1, kernelSize: 5 }) })
    expect(gray.kernelSize).toBe(5)
    const tile = gray.filters[0]!.data
    for (let p = 0; p < 25; p++) expect([tile[p * 4 + 1], tile[p * 4 + 2]]).toEqual([tile[p * 4], tile[p * 4]])
  })

  it('keeps the tensor count flat', async () => {
    await expectNoTensorGrowth(() => filters(models, { models: source }))
    expect(tf.memory().numTensors).toBeGreaterThan(0)
  })
})
