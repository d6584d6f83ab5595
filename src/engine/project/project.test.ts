import * as fs from 'node:fs'
import * as os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelSource } from '../../shared/api/explore'
import type { RgbaImage } from '../../shared/api/image'
import { selectBackend } from '../backend/select'
import { renderImages } from '../explore/generate'
import { ModelCache } from '../explore/models'
import { GRAY, expectNoTensorGrowth, trainedCheckpoint, untrained, zBatch } from '../explore/test-support'
import type { Trainer } from '../train/trainer'
import { noiseRange, project } from './project'

let models: ModelCache
let trainer: Trainer
let source: ModelSource
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'project-'))

beforeAll(async () => {
  await selectBackend('wasm')
  models = new ModelCache()
  ;({ trainer, source } = await trainedCheckpoint(root, 40))
})

afterAll(() => {
  trainer?.dispose()
  models?.dispose()
  fs.rmSync(root, { recursive: true, force: true })
})

/** The sample of z vector `index` of `seed`, as an RGBA image (8-bit, like a saved PNG). */
async function sampleOf(seed: number): Promise<{ z: Float32Array; image: RgbaImage }> {
  const z = zBatch(GRAY, seed, 1)
  const [image] = await models.use(source, async (pair) => renderImages(await pair.network('G'), z, 1))
  return { z, image: image as RgbaImage }
}

describe('project', () => {
  it('finds a z that reconstructs a sample of a known z, far better than the random starts', async () => {
    const { image } = await sampleOf(12345)
    const progress: number[] = []
    const result = await project(
      models,
      { generator: source, image, starts: 8, steps: 200, learningRate: 0.05, seed: 0 },
      { progress: (f) => progress.push(f) }
    )
    expect(result.z).toHaveLength(GRAY.zDim)
    expect(result.errors).toHaveLength(8)
    expect(result.initialErrors).toHaveLength(8)
    expect(result.error).toBe(Math.min(...result.errors))
    expect(result.errors[result.best]).toBe(result.error)
    // Every coordinate stays inside the model's noise range.
    const [low, high] = noiseRange(GRAY.noise)
    for (const v of result.z) expect(v >= low && v <= high).toBe(true)
    const randomError = Math.min(...result.initialErrors)
    expect(result.error).toBeLessThan(randomError / 10)
    expect(result.error).toBeLessThan(0.01)
    expect([result.reconstruction.width, result.target.width]).toEqual([32, 32])
    expect(progress.at(-1)).toBe(1)
  })

  it('is reproducible: the same seed gives the same z', async () => {
    const { image } = await sampleOf(7)
    const params = { generator: source, image, starts: 2, steps: 20, learningRate: 0.05, seed: 3 }
    const a = await project(models, params)
    const b = await project(models, params)
    expect(Array.from(b.z)).toEqual(Array.from(a.z))
  })

  it('leaves no tensors behind', async () => {
    const { image } = await sampleOf(8)
    await expectNoTensorGrowth(() => project(models, { generator: source, image, starts: 2, steps: 10, learningRate: 0.05, seed: 0 }))
  })

  it('refuses an untrained generator, whose samples depend on their batch', async () => {
    const { image } = await sampleOf(9)
    await expect(project(models, { generator: untrained(GRAY), image, starts: 2, steps: 5, learningRate: 0.05, seed: 0 })).rejects.toThrow(/trained checkpoint/)
  })

  it('stops when cancelled', async () => {
    const { image } = await sampleOf(10)
    const controller = new AbortController()
    const run = project(
      models,
      { generator: source, image, starts: 2, steps: 5000, learningRate: 0.05, seed: 0 },
      { signal: controller.signal, progress: () => controller.abort() }
    )
    await expect(run).rejects.toMatchObject({ code: 'cancelled' })
  })
})
