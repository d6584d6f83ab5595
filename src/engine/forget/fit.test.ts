import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Box } from '../../shared/api/forget'
import { selectBackend } from '../backend/select'
import { forward } from '../explore/forward'
import { render } from '../explore/generate'
import { ModelCache } from '../explore/models'
import { expectNoTensorGrowth, GRAY, untrained, zBatch } from '../explore/test-support'
import { describeGenerator } from '../model'
import { erasableLayers, fitErasure } from './fit'

let models: ModelCache

beforeAll(async () => {
  await selectBackend('wasm')
  models = new ModelCache()
})

afterAll(() => models.dispose())

// GRAY is 32 px: G's conv layers below the output end in g_relu1 (8×8) and g_relu2 (16×16, 16 maps).
const source = untrained(GRAY, 3)
const COUNT = 24
const z = zBatch(GRAY, 5, COUNT)
const options = { negatives: 'random' as const, negativesPerPositive: 1, weightDecay: 1e-3, iterations: 300, seed: 0 }

/** g_relu2 for every sample, [COUNT, 16, 16, 16], as G draws them together. */
async function activations(): Promise<Float32Array> {
  return models.use(source, async (pair) => {
    const generator = await pair.network('G')
    const out = tf.tidy(() => forward(generator, tf.tensor2d(z, [COUNT, GRAY.zDim]), { upTo: 'g_relu2' })[0]!.output)
    const data = (await out.data()) as Float32Array
    out.dispose()
    return data
  })
}

/** A box on each sample around the 16×16 cell where `channel` fires most. */
function boxesWhereChannelFires(values: Float32Array, channel: number): Box[][] {
  const side = 16
  const maps = 16
  return Array.from({ length: COUNT }, (_, sample) => {
    let best = 0
    for (let cell = 0; cell < side * side; cell++) {
      if (values[(sample * side * side + cell) * maps + channel]! > values[(sample * side * side + best) * maps + channel]!) best = cell
    }
    const x = (best % side) / side
    const y = Math.floor(best / side) / side
    return [{ x0: x, y0: y, x1: x + 1 / side, y1: y + 1 / side }]
  })
}

describe('forgetting to draw: the fit', () => {
  it("offers the ReLU after each of G's conv layers below the output, the second-highest conv layer last", () => {
    const names = (imageSize: 32 | 64) => erasableLayers(describeGenerator({ ...GRAY, imageSize })).map((l) => l.name)
    expect(names(32)).toEqual(['g_relu1', 'g_relu2'])
    expect(names(64)).toEqual(['g_relu1', 'g_relu2', 'g_relu3'])
  })

  it('gives the largest weight to the map that fires inside the boxes', async () => {
    const values = await activations()
    const channel = 5
    const fit = await fitErasure(models, { generator: source, z, count: COUNT, boxes: boxesWhereChannelFires(values, channel), layer: null, ...options })
    expect(fit.layer).toBe('g_relu2')
    expect(fit.layers).toEqual(['g_relu1', 'g_relu2'])
    expect(fit.shape).toEqual([16, 16, 16])
    expect(fit.positives).toBe(COUNT)
    expect(fit.negatives).toBe(COUNT)
    expect(fit.maps).toHaveLength(16)
    expect(fit.maps[0]?.channel).toBe(channel)
    // Largest first, and `dropped` is the paper's rule: every map with weight > 0.
    for (let i = 1; i < fit.maps.length; i++) expect(fit.maps[i]!.weight).toBeLessThanOrEqual(fit.maps[i - 1]!.weight)
    expect(fit.dropped).toEqual(fit.maps.filter((m) => m.weight > 0).map((m) => m.channel))
    expect(fit.accuracy).toBeGreaterThan(0.8)
  })

  it('fits another layer by name and refuses one G does not have', async () => {
    const boxes = Array.from({ length: COUNT }, () => [{ x0: 0.25, y0: 0.25, x1: 0.5, y1: 0.5 }])
    const fit = await fitErasure(models, { generator: source, z, count: COUNT, boxes, layer: 'g_relu1', ...options })
    expect(fit.shape).toEqual([8, 8, 32])
    // 8×8 cell centres inside [0.25, 0.5]²: columns and rows 2 and 3.
    expect(fit.positives).toBe(COUNT * 4)
    await expect(fitErasure(models, { generator: source, z, count: COUNT, boxes, layer: 'g_relu7', ...options })).rejects.toThrow(/g_relu1, g_relu2/)
  })

  it('says what is missing when no negative can be drawn', async () => {
    const sameBox = Array.from({ length: COUNT }, () => [{ x0: 0, y0: 0, x1: 0.5, y1: 0.5 }])
    await expect(fitErasure(models, { generator: source, z, count: COUNT, boxes: sameBox, layer: null, ...options, negatives: 'matched' })).rejects.toThrow(
      /add samples without the object/
    )
    const everywhere = Array.from({ length: COUNT }, () => [{ x0: 0, y0: 0, x1: 1, y1: 1 }])
    await expect(fitErasure(models, { generator: source, z, count: COUNT, boxes: everywhere, layer: null, ...options })).rejects.toThrow(/cover every location/)
  })

  it('names the mismatch when boxes and z vectors disagree', async () => {
    await expect(fitErasure(models, { generator: source, z, count: COUNT, boxes: [[]], layer: null, ...options })).rejects.toThrow(/boxes for 1 samples but 24/)
  })

  it('leaves no tensor behind', async () => {
    const boxes = Array.from({ length: COUNT }, () => [{ x0: 0, y0: 0, x1: 0.3, y1: 0.3 }])
    await expectNoTensorGrowth(() => fitErasure(models, { generator: source, z, count: COUNT, boxes, layer: null, ...options, iterations: 20 }))
  })
})

describe('forgetting to draw: drawing without the maps', () => {
  const erase = { layer: 'g_relu2', channels: [1, 5, 9] }

  it('zeroes the dropped maps at every location, and only them', async () => {
    const out = await models.use({ ...source, erase }, async (pair) => {
      const generator = await pair.network('G')
      const kept = tf.tidy(() => forward(generator, tf.tensor2d(z.subarray(0, 4 * GRAY.zDim), [4, GRAY.zDim]), { upTo: 'g_relu2' })[0]!.output)
      const perMap = tf.tidy(() => kept.abs().sum([0, 1, 2]))
      const sums = Array.from(await perMap.data())
      tf.dispose([kept, perMap])
      return sums
    })
    out.forEach((sum, channel) => (erase.channels.includes(channel) ? expect(sum).toBe(0) : expect(sum).toBeGreaterThan(0)))
  })

  const four = z.subarray(0, 4 * GRAY.zDim)

  it('changes the images, while the same source without an erasure draws them as before', async () => {
    const before = await render(models, { generator: source, z: four, count: 4 })
    const erased = await render(models, { generator: { ...source, erase }, z: four, count: 4 })
    const again = await render(models, { generator: source, z: four, count: 4 })
    expect(Buffer.from(erased.images[0]!.data).equals(Buffer.from(before.images[0]!.data))).toBe(false)
    expect(Buffer.from(again.images[0]!.data).equals(Buffer.from(before.images[0]!.data))).toBe(true)
    await expectNoTensorGrowth(() => render(models, { generator: { ...source, erase }, z: four, count: 4 }))
  })

  it('refuses maps or layers the generator does not have, naming them', async () => {
    await expect(
      render(models, { generator: { ...source, erase: { layer: 'g_relu2', channels: [16] } }, z: four.subarray(0, GRAY.zDim), count: 1 })
    ).rejects.toThrow(/map 16 of g_relu2, which has only 16 maps/)
    await expect(
      render(models, { generator: { ...source, erase: { layer: 'g_relu9', channels: [0] } }, z: four.subarray(0, GRAY.zDim), count: 1 })
    ).rejects.toThrow(/no layer 'g_relu9'.*g_relu0, g_relu1, g_relu2/)
  })
})
