import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RUN_FILES } from '../../shared/formats/run'
import { selectBackend } from '../backend/select'
import { buildDiscriminator, buildGenerator, saveModel } from '../model'
import { ModelCache } from './models'
import { GRAY, RGB, untrained } from './test-support'

let root: string

beforeAll(async () => {
  await selectBackend('wasm')
  root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-models-'))
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('the model cache', () => {
  it('builds a source once and hands out the same networks again', async () => {
    const cache = new ModelCache()
    const first = await cache.use(untrained(RGB), async (pair) => (await pair.network('G')).model)
    const again = await cache.use(untrained(RGB), async (pair) => (await pair.network('G')).model)
    expect(again).toBe(first)
    const other = await cache.use(untrained(RGB, 8), async (pair) => (await pair.network('G')).model)
    expect(other).not.toBe(first)
    cache.dispose()
  })

  it('frees the least recently used source beyond its capacity, but not while a request still uses it', async () => {
    const cache = new ModelCache(1)
    const empty = tf.memory().numTensors
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let model!: tf.LayersModel
    const first = cache.use(untrained(RGB, 1), async (pair) => {
      model = (await pair.network('D')).model
      await held
      // Still usable although a newer source pushed it out of the cache meanwhile.
      const out = tf.tidy(() => model.predict(tf.zeros([1, 32, 32, 3])) as tf.Tensor)
      const value = (await out.data())[0]
      out.dispose()
      return value
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    const withOne = tf.memory().numTensors
    await cache.use(untrained(RGB, 2), async (pair) => pair.network('D'))
    release()
    expect(await first).toBeGreaterThan(0)
    await new Promise((resolve) => setTimeout(resolve, 10))
    // Only the second source's D is left.
    expect(tf.memory().numTensors - empty).toBe(withOne - empty)
    cache.dispose()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(tf.memory().numTensors).toBe(empty)
  })

  it('uses batch statistics for untrained networks and moving statistics for checkpoints', async () => {
    const dir = path.join(root, 'checkpoint')
    const generator = buildGenerator(GRAY, 5)
    const discriminator = buildDiscriminator(GRAY, 5)
    await saveModel(generator, path.join(dir, RUN_FILES.generator))
    await saveModel(discriminator, path.join(dir, RUN_FILES.discriminator))
    generator.dispose()
    discriminator.dispose()
    const cache = new ModelCache()
    expect(await cache.use(untrained(GRAY), async (pair) => (await pair.network('G')).batchStats)).toBe(true)
    const loaded = await cache.use({ kind: 'checkpoint', model: GRAY, dir }, async (pair) => [await pair.network('G'), await pair.network('D')])
    expect(loaded.map((n) => [n.net, n.batchStats])).toEqual([
      ['G', false],
      ['D', false]
    ])
    cache.dispose()
  })

  it('says which file is missing, and tries again on the next request', async () => {
    const cache = new ModelCache()
    const dir = path.join(root, 'not-yet')
    const attempt = (): Promise<unknown> => cache.use({ kind: 'checkpoint', model: GRAY, dir }, (pair) => pair.network('G'))
    await expect(attempt()).rejects.toMatchObject({ code: 'io_error', message: expect.stringContaining(path.join(dir, RUN_FILES.generator)) })
    const generator = buildGenerator(GRAY, 5)
    await saveModel(generator, path.join(dir, RUN_FILES.generator))
    generator.dispose()
    await expect(attempt()).resolves.toBeDefined()
    cache.dispose()
  })

  it('refuses a checkpoint that does not match the architecture it is opened with', async () => {
    const dir = path.join(root, 'wider')
    const generator = buildGenerator({ ...GRAY, genWidth: 8 }, 5)
    await saveModel(generator, path.join(dir, RUN_FILES.generator))
    generator.dispose()
    const cache = new ModelCache()
    await expect(cache.use({ kind: 'checkpoint', model: GRAY, dir }, (pair) => pair.network('G'))).rejects.toThrow(/g_project' outputs 512, expected 1024/)
    cache.dispose()
  })
})
