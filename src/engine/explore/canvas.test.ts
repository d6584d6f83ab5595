import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelSource } from '../../shared/api/explore'
import type { RgbaImage } from '../../shared/api/image'
import { RUN_FILES } from '../../shared/formats/run'
import type { ModelConfig } from '../../shared/formats/model'
import { canvasGrid, canvasSize } from '../../shared/latent/canvas-grid'
import { selectBackend } from '../backend/select'
import { buildDiscriminator, buildGenerator, saveModel } from '../model'
import { tinyModel } from '../train/test-support'
import { canvas } from './canvas'
import { render } from './generate'
import { ModelCache } from './models'
import { RGB, expectNoTensorGrowth, spread, untrained } from './test-support'

let root: string
let models: ModelCache

beforeAll(async () => {
  await selectBackend('wasm')
  root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-canvas-'))
  models = new ModelCache()
})

afterAll(async () => {
  models.dispose()
  await rm(root, { recursive: true, force: true })
})

/** A checkpoint folder of seeded, untrained weights: rendered with its moving statistics, like a trained one. */
async function savedCheckpoint(model: ModelConfig, name: string): Promise<ModelSource> {
  const dir = path.join(root, name)
  const generator = buildGenerator(model, 5)
  // Moving statistics other than 0 and 1, so the picture is not flat grey.
  for (const layer of generator.layers) {
    for (const weight of layer.weights) {
      if (weight.originalName.endsWith('moving_variance')) weight.write(tf.fill(weight.shape as number[], 1e-4))
    }
  }
  const discriminator = buildDiscriminator(model, 5)
  await saveModel(generator, path.join(dir, RUN_FILES.generator))
  await saveModel(discriminator, path.join(dir, RUN_FILES.discriminator))
  generator.dispose()
  discriminator.dispose()
  return { kind: 'checkpoint', model, dir }
}

function grid(model: ModelConfig, columns: number, rows: number, tile = false, blend = 1): Float32Array<ArrayBuffer> {
  return canvasGrid({ columns, rows, seed: 9, blend, tile }, model.zDim, model.noise).z
}

/** The image repeated `nx` × `ny` times. */
function tiled(image: RgbaImage, nx: number, ny: number): RgbaImage {
  const width = image.width * nx
  const data = new Uint8Array(width * image.height * ny * 4)
  for (let y = 0; y < image.height * ny; y++) {
    for (let x = 0; x < width; x++) {
      const src = ((y % image.height) * image.width + (x % image.width)) * 4
      data.set(image.data.subarray(src, src + 4), (y * width + x) * 4)
    }
  }
  return { width, height: image.height * ny, data }
}

function maxDifference(a: RgbaImage, b: RgbaImage): number {
  let max = 0
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!))
  return max
}

const SYMMETRIC_UNIT = tinyModel({ channels: 3, kernelSize: 5, padding: 'symmetric', projectionNorm: 'unit', batchNormEpsilon: 1e-8 })

describe('canvas', () => {
  it('a 1×1 canvas is the ordinary sample of the same z, bit for bit', async () => {
    const cases: ModelSource[] = [untrained(RGB), untrained(SYMMETRIC_UNIT), await savedCheckpoint(RGB, 'rgb'), await savedCheckpoint(SYMMETRIC_UNIT, 'theano')]
    for (const source of cases) {
      const z = grid(source.model, 1, 1)
      const sample = await render(models, { generator: source, z, count: 1 })
      const one = await canvas(models, { generator: source, z, columns: 1, rows: 1, tile: false, statistics: 'model' })
      expect(one.image.width).toBe(32)
      expect(one.image.data).toEqual(sample.images[0]!.data)
      // (An untrained unit-normalised G draws one sample as flat grey: each unit is normalised over a batch of one.)
      if (source.kind === 'checkpoint') expect(spread(one.image)).toBeGreaterThan(2)
    }
  })

  it('a grid of h × w cells is (h + 3)·s × (w + 3)·s pixels, s = imageSize / 4; tiling makes it h·s × w·s', async () => {
    const source = await savedCheckpoint(RGB, 'sizes')
    const wide = await canvas(models, { generator: source, z: grid(RGB, 6, 3), columns: 6, rows: 3, tile: false, statistics: 'model' })
    expect([wide.image.width, wide.image.height]).toEqual([(6 + 3) * 8, (3 + 3) * 8])
    expect(canvasSize(RGB, 6, 3, false)).toMatchObject({ width: 72, height: 48, cell: 8 })
    const tile = await canvas(models, { generator: source, z: grid(RGB, 5, 2, true), columns: 5, rows: 2, tile: true, statistics: 'model' })
    expect([tile.image.width, tile.image.height]).toEqual([5 * 8, 2 * 8])
  })

  it('a tiling canvas is periodic: two copies side by side are the canvas of the doubled grid', async () => {
    for (const source of [await savedCheckpoint(RGB, 'tile'), await savedCheckpoint(SYMMETRIC_UNIT, 'tile-theano')]) {
      const [columns, rows] = [3, 2]
      const z = grid(source.model, columns, rows, true, 2)
      const zDim = source.model.zDim
      // The same periodic z grid, twice in each direction.
      const doubled = new Float32Array(4 * z.length)
      for (let row = 0; row < 2 * rows; row++) {
        for (let column = 0; column < 2 * columns; column++) {
          const from = ((row % rows) * columns + (column % columns)) * zDim
          doubled.set(z.subarray(from, from + zDim), (row * 2 * columns + column) * zDim)
        }
      }
      const once = await canvas(models, { generator: source, z, columns, rows, tile: true, statistics: 'model' })
      const twice = await canvas(models, { generator: source, z: doubled, columns: 2 * columns, rows: 2 * rows, tile: true, statistics: 'model' })
      expect(spread(once.image)).toBeGreaterThan(2)
      expect(maxDifference(twice.image, tiled(once.image, 2, 2))).toBeLessThanOrEqual(1)
      // Not periodic without tiling: the edges of a plain canvas fade out where fewer patches overlap.
      const plain = await canvas(models, { generator: source, z: doubled, columns: 2 * columns, rows: 2 * rows, tile: false, statistics: 'model' })
      expect(plain.image.width).toBe((2 * columns + 3) * 8)
    }
  })

  it('a tiling canvas of an untrained G (batch statistics) is periodic too', async () => {
    const source = untrained(RGB)
    const z = grid(RGB, 2, 2, true, 1)
    const doubled = new Float32Array(4 * z.length)
    for (let row = 0; row < 4; row++) {
      for (let column = 0; column < 4; column++) {
        const from = ((row % 2) * 2 + (column % 2)) * RGB.zDim
        doubled.set(z.subarray(from, from + RGB.zDim), (row * 4 + column) * RGB.zDim)
      }
    }
    const once = await canvas(models, { generator: source, z, columns: 2, rows: 2, tile: true, statistics: 'model' })
    const twice = await canvas(models, { generator: source, z: doubled, columns: 4, rows: 4, tile: true, statistics: 'model' })
    expect(maxDifference(twice.image, tiled(once.image, 2, 2))).toBeLessThanOrEqual(1)
  })

  it('refuses a z grid of the wrong length and a canvas too large, saying what to change', async () => {
    const source = untrained(RGB)
    await expect(canvas(models, { generator: source, z: new Float32Array(100), columns: 2, rows: 1, tile: false, statistics: 'model' })).rejects.toThrow(
      /rows × columns × zDim = 200/
    )
    const big = tinyModel({ imageSize: 128, genWidth: 64 })
    await expect(
      canvas(models, { generator: untrained(big), z: new Float32Array(64 * 64 * 100), columns: 64, rows: 64, tile: false, statistics: 'model' })
    ).rejects.toThrow(/Choose fewer cells/)
  })

  it('stops when cancelled and keeps the tensor count flat', async () => {
    const source = await savedCheckpoint(RGB, 'memory')
    const controller = new AbortController()
    controller.abort()
    await expect(
      canvas(models, { generator: source, z: grid(RGB, 2, 2), columns: 2, rows: 2, tile: false, statistics: 'model' }, { signal: controller.signal })
    ).rejects.toMatchObject({
      code: 'cancelled'
    })
    const progress: number[] = []
    await expectNoTensorGrowth(() =>
      canvas(
        models,
        { generator: source, z: grid(RGB, 4, 3, true), columns: 4, rows: 3, tile: true, statistics: 'model' },
        { progress: (fraction) => progress.push(fraction) }
      )
    )
    await expectNoTensorGrowth(() =>
      canvas(models, { generator: untrained(SYMMETRIC_UNIT), z: grid(SYMMETRIC_UNIT, 3, 2), columns: 3, rows: 2, tile: false, statistics: 'model' })
    )
    expect(progress.length).toBeGreaterThan(3)
    expect(Math.max(...progress)).toBeLessThan(1)
  })
})
