import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelSource } from '../../shared/api/explore'
import { selectBackend } from '../backend/select'
import { forwardOutput } from './forward'
import { generate, render } from './generate'
import { ModelCache } from './models'
import { tensorToRgbaImages } from './pixels'
import { GRAY, RGB, expectNoTensorGrowth, trainedCheckpoint, untrained, zBatch } from './test-support'
import type { Trainer } from '../train/trainer'

let root: string
let models: ModelCache

beforeAll(async () => {
  await selectBackend('wasm')
  root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-render-'))
  models = new ModelCache()
})

afterAll(async () => {
  models.dispose()
  await rm(root, { recursive: true, force: true })
})

describe('render', () => {
  const source = untrained(RGB)

  it('renders one image of the model size per z vector', async () => {
    const result = await render(models, { generator: source, z: zBatch(RGB, 1, 5), count: 5 })
    expect(result.images).toHaveLength(5)
    for (const image of result.images) {
      expect([image.width, image.height, image.data.length]).toEqual([32, 32, 32 * 32 * 4])
    }
    expect(result.backend).toBe('wasm')
  })

  it('gives the same image for the same z and different images for different z', async () => {
    const z = zBatch(RGB, 2, 4)
    const first = await render(models, { generator: source, z, count: 4 })
    const again = await render(models, { generator: source, z, count: 4 })
    expect(again.images.map((i) => i.data)).toEqual(first.images.map((i) => i.data))
    const other = await render(models, { generator: source, z: zBatch(RGB, 3, 4), count: 4 })
    other.images.forEach((image, i) => expect(image.data).not.toEqual(first.images[i]!.data))
    // Within one batch, too.
    expect(first.images[0]!.data).not.toEqual(first.images[1]!.data)
  })

  it('drops a request that was cancelled before it ran', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(render(models, { generator: source, z: zBatch(RGB, 1, 1), count: 1 }, controller.signal)).rejects.toMatchObject({ code: 'cancelled' })
  })

  it('refuses a z batch of the wrong length, saying what it needs', async () => {
    await expect(render(models, { generator: source, z: new Float32Array(99), count: 1 })).rejects.toThrow(/count × zDim = 100/)
  })

  it('normalises an untrained G with batch statistics, exactly as tfjs does in training mode', async () => {
    const z = zBatch(RGB, 4, 3)
    const ours = await render(models, { generator: source, z, count: 3 })
    const reference = await models.use(source, async (pair) => {
      const { model } = await pair.network('G')
      const batch = tf.tidy(() => model.apply(tf.tensor2d(z, [3, RGB.zDim]), { training: true }) as tf.Tensor4D)
      const images = await tensorToRgbaImages(batch)
      batch.dispose()
      return images
    })
    expect(ours.images.map((i) => i.data)).toEqual(reference.map((i) => i.data))
  })

  it('keeps the tensor count flat over repeated renders and grids', async () => {
    const z = zBatch(RGB, 5, 8)
    await expectNoTensorGrowth(() => render(models, { generator: source, z, count: 8 }))
    await expectNoTensorGrowth(() => generate(models, { generator: source, seed: 1, count: 4 }))
  })
})

describe('render from a checkpoint', () => {
  let trainer: Trainer
  let checkpoint: ModelSource

  beforeAll(async () => {
    ;({ trainer, source: checkpoint } = await trainedCheckpoint(root))
  })

  afterAll(() => trainer.dispose())

  it('renders what the trained in-memory generator renders with its moving statistics', async () => {
    const z = zBatch(GRAY, 11, 6)
    const loaded = await render(models, { generator: checkpoint, z, count: 6 })
    const batch = tf.tidy(() => trainer.generator.apply(tf.tensor2d(z, [6, GRAY.zDim]), { training: false }) as tf.Tensor4D)
    const inMemory = await tensorToRgbaImages(batch)
    batch.dispose()
    expect(loaded.images.map((i) => i.data)).toEqual(inMemory.map((i) => i.data))
    // Moving statistics: an image does not depend on the rest of its batch.
    const alone = await render(models, { generator: checkpoint, z: z.subarray(0, GRAY.zDim), count: 1 })
    expect(alone.images[0]!.data).toEqual(loaded.images[0]!.data)
  })

  it('loads the checkpoint once and keeps the tensor count flat', async () => {
    const z = zBatch(GRAY, 12, 4)
    await expectNoTensorGrowth(() => render(models, { generator: checkpoint, z, count: 4 }))
  })

  it('the forward runner matches the model applied as a whole', async () => {
    await models.use(checkpoint, async (pair) => {
      const generator = await pair.network('G')
      const z = tf.tensor2d(zBatch(GRAY, 13, 2), [2, GRAY.zDim])
      const difference = tf.tidy(() => tf.abs(tf.sub(forwardOutput(generator, z), generator.model.predict(z) as tf.Tensor)).max())
      expect((await difference.data())[0]).toBe(0)
      tf.dispose([z, difference])
    })
  })
})
