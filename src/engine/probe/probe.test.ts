import * as fs from 'node:fs'
import * as os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelSource } from '../../shared/api/explore'
import { Rng } from '../../shared/latent/random'
import { selectBackend } from '../backend/select'
import { writeDataset } from '../data/test-datasets'
import { ModelCache } from '../explore/models'
import { expectNoTensorGrowth, trainedCheckpoint } from '../explore/test-support'
import type { Trainer } from '../train/trainer'
import { discriminatorFeatureCount, probe } from './probe'

let models: ModelCache
let trainer: Trainer
let source: ModelSource
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'))

/**
 * `count` gray images of `size` px with a bright disc whose centre lies in the left, middle or right third:
 * the label. Easy for a linear classifier on pixels, so every representation should do well.
 */
async function thirdsDataset(dir: string, count: number, size: number): Promise<string> {
  const rng = new Rng(11)
  const images = new Uint8Array(count * size * size)
  const labels = new Uint8Array(count)
  for (let n = 0; n < count; n++) {
    const label = n % 3
    const radius = size * (0.1 + 0.05 * rng.next())
    const cx = (size * (label + 0.2 + 0.6 * rng.next())) / 3
    const cy = radius + (size - 2 * radius) * rng.next()
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius ** 2
        images[(n * size + y) * size + x] = (inside ? 200 : 0) + Math.floor(40 * rng.next())
      }
    }
    labels[n] = label
  }
  await writeDataset(dir, { size, channels: 1, images, labels })
  return dir
}

beforeAll(async () => {
  await selectBackend('wasm')
  models = new ModelCache()
  ;({ trainer, source } = await trainedCheckpoint(root, 20))
})

afterAll(() => {
  trainer?.dispose()
  models?.dispose()
  fs.rmSync(root, { recursive: true, force: true })
})

const small = { randomSeed: 1, perClass: 20, validationPerClass: 10, maxTest: 60, seed: 0, weightDecays: [1e-1, 1e-2, 1e-3], iterations: 100 }

describe('probe', () => {
  it('scores trained D features, random-init D features and pixels on a labelled dataset', async () => {
    const datasetDir = await thirdsDataset(path.join(root, 'thirds'), 180, 32)
    const progress: number[] = []
    const result = await probe(models, { models: source, datasetDir, ...small }, { progress: (f) => progress.push(f) })
    expect(result.classes).toBe(3)
    // An IDX-style dataset: labels are numbers, with no names.
    expect(result.classNames).toBeNull()
    expect(result.counts).toEqual({ train: 60, validation: 30, test: 60 })
    expect(result.adapted).toBeNull()
    // D 8 wide at 32 px: LeakyReLU outputs 16×16×8, 8×8×16, 4×4×32, each pooled to 4×4 → 128 + 256 + 512.
    expect(result.trainedD.features).toBe(896)
    expect(discriminatorFeatureCount(source.model)).toBe(896)
    expect(result.randomD.features).toBe(896)
    expect(result.pixels.features).toBe(32 * 32)
    for (const score of [result.trainedD, result.randomD, result.pixels]) {
      expect(score.validation.map((v) => v.weightDecay)).toEqual([1e-1, 1e-2, 1e-3])
      expect(small.weightDecays).toContain(score.weightDecay)
      // Where the disc is, is linearly readable from all three.
      expect(score.testAccuracy).toBeGreaterThan(0.7)
    }
    expect(progress.at(-1)).toBe(1)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
  })

  it('brings other sizes to the model: 28 px images are resized to 32', async () => {
    const datasetDir = await thirdsDataset(path.join(root, 'thirds-28'), 180, 28)
    const result = await probe(models, { models: source, datasetDir, ...small, maxTest: 30 })
    expect(result.adapted).toMatch(/resized from 28 to 32/)
    expect(result.pixels.features).toBe(32 * 32)
  })

  it('leaves no tensors behind', async () => {
    const datasetDir = path.join(root, 'thirds')
    await expectNoTensorGrowth(() => probe(models, { models: source, datasetDir, ...small, maxTest: 20, iterations: 10, weightDecays: [1e-2] }))
  })

  it('asks for labels when the dataset has none', async () => {
    const datasetDir = path.join(root, 'unlabelled')
    await writeDataset(datasetDir, { size: 32, channels: 1, images: new Uint8Array(4 * 32 * 32) })
    await expect(probe(models, { models: source, datasetDir, ...small })).rejects.toThrow(/has no labels.*--labels/)
  })

  it('stops when cancelled', async () => {
    const controller = new AbortController()
    const run = probe(
      models,
      { models: source, datasetDir: path.join(root, 'thirds'), ...small, iterations: 5000 },
      { signal: controller.signal, progress: () => controller.abort() }
    )
    await expect(run).rejects.toMatchObject({ code: 'cancelled' })
  })
})
