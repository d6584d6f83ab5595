import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/select'
import { discriminatorFeatures, embed, EMBED_CHUNK } from './embed'
import { ModelCache } from './models'
import { RGB, expectNoTensorGrowth, untrained, zBatch } from './test-support'

let models: ModelCache
const source = untrained(RGB)

beforeAll(async () => {
  await selectBackend('wasm')
  models = new ModelCache()
})

afterAll(() => models.dispose())

function expectUnitScalePoints(points: Float32Array, count: number): void {
  expect(points).toHaveLength(count * 3)
  expect(Array.from(points).every(Number.isFinite)).toBe(true)
  const peak = Math.max(...Array.from(points, Math.abs))
  expect(peak).toBeCloseTo(1, 6)
  // Spread out, not collapsed onto a point or a line.
  for (let c = 0; c < 3; c++) {
    const axis = Array.from({ length: count }, (_, i) => points[i * 3 + c]!)
    expect(Math.max(...axis) - Math.min(...axis)).toBeGreaterThan(0.05)
  }
}

describe('embed', () => {
  it('places samples by the PCA of z, with a thumbnail each', async () => {
    const count = 80
    const progress: number[] = []
    const result = await embed(
      models,
      { models: source, z: zBatch(RGB, 41, count), count, projection: 'z', thumbSize: 16 },
      { progress: (f) => progress.push(f) }
    )
    expectUnitScalePoints(result.points, count)
    expect(result.explained).toBeGreaterThan(0)
    expect(result.explained).toBeLessThanOrEqual(1)
    // z is 100 near-independent uniform numbers: three components explain little more than 3 % of it.
    expect(result.explained).toBeLessThan(0.2)
    expect(result.thumbs).toHaveLength(count)
    for (const thumb of result.thumbs) expect([thumb.width, thumb.height, thumb.data.length]).toEqual([16, 16, 16 * 16 * 4])
    // Rendered in chunks, with progress after each.
    expect(progress).toEqual([EMBED_CHUNK / count, 1])
  })

  it("places samples by the PCA of D's pooled features of their images", async () => {
    const count = 40
    const result = await embed(models, { models: source, z: zBatch(RGB, 42, count), count, projection: 'd-features', thumbSize: 32 })
    expectUnitScalePoints(result.points, count)
    expect(result.explained).toBeGreaterThan(0)
    expect(result.explained).toBeLessThanOrEqual(1)
    expect(result.thumbs[0]!.width).toBe(32)
    // A different layout from z's.
    const byZ = await embed(models, { models: source, z: zBatch(RGB, 42, count), count, projection: 'z', thumbSize: 32 })
    expect(Array.from(result.points)).not.toEqual(Array.from(byZ.points))
  })

  it("D's features are every LeakyReLU output max-pooled to 4×4, concatenated", async () => {
    await models.use(source, async (pair) => {
      const discriminator = await pair.network('D')
      const images = tf.randomUniform<tf.Rank.R4>([2, 32, 32, 3], -1, 1)
      const measured = tf.tidy(() => discriminatorFeatures(discriminator, images))
      // 16 × (8 + 16 + 32) channels of the three LeakyReLUs.
      expect(measured.shape).toEqual([2, 16 * 56])
      tf.dispose([images, measured])
    })
  })

  it('refuses a z batch of the wrong length', async () => {
    await expect(embed(models, { models: source, z: new Float32Array(250), count: 3, projection: 'z', thumbSize: 16 })).rejects.toThrow(/needs 300/)
  })

  it('keeps the tensor count flat', async () => {
    const z = zBatch(RGB, 43, 12)
    await expectNoTensorGrowth(() => embed(models, { models: source, z, count: 12, projection: 'd-features', thumbSize: 8 }))
    await expectNoTensorGrowth(() => embed(models, { models: source, z, count: 12, projection: 'z', thumbSize: 64 }))
  })
})
