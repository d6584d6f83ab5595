import * as fs from 'node:fs'
import * as os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSwiftShader } from '../../../../tests/support/swiftshader'
import type { ModelSource } from '../../../shared/api/explore'
import type { RgbaImage } from '../../../shared/api/image'
import { combine } from '../../../shared/latent/arithmetic'
import { keyframePath } from '../../../shared/latent/interpolate'
import { Rng } from '../../../shared/latent/random'
import { writeDataset } from '../../data/test-datasets'
import { discriminatorFeatures } from '../../explore/embed'
import { features } from '../../explore/features'
import { generate, render } from '../../explore/generate'
import { guided } from '../../explore/guided'
import { ModelCache } from '../../explore/models'
import { GRAY, expectNoTensorGrowth, trainedCheckpoint, zBatch } from '../../explore/test-support'
import { fitErasure } from '../../forget/fit'
import { probe } from '../../probe/probe'
import { project } from '../../project/project'
import { releaseBackend, selectBackend } from '../select'
import { countGpuDispatches } from './dispatch-count'
import { BATCH_NORM_INFERENCE } from './kernels/batch-norm'
import { relativeError } from '../test-support'

/**
 * Every path of the explorer and the experiments on webgpu, against the same call on cpu: sampling, walks and
 * arithmetic (renders of z vectors), feature maps, guided backpropagation, the probe's features and the probe
 * itself, projection and forgetting to draw. The model is a small trained checkpoint (made on wasm), loaded
 * afresh on each backend. On webgpu no path may read a tensor synchronously (a GPU buffer cannot be), and
 * these paths leave no tensors behind.
 */

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-webgpu-paths-'))
let source: ModelSource
let labelled: string
let syncReads = 0

beforeAll(async () => {
  requireSwiftShader()
  await selectBackend('wasm')
  const trained = await trainedCheckpoint(root, 20)
  trained.trainer.dispose()
  source = trained.source
  labelled = await thirdsDataset(path.join(root, 'thirds'), 60)
  await selectBackend('webgpu')
  watchSyncReads()
  await selectBackend('cpu')
})

afterAll(() => {
  releaseBackend()
  fs.rmSync(root, { recursive: true, force: true })
})

/** Counts synchronous reads of data that lives on the GPU (which webgpu can only do through a canvas, not in Node). */
function watchSyncReads(): void {
  const backend = tf.findBackend('webgpu') as unknown as {
    readSync(dataId: object): unknown
    tensorMap: { get(dataId: object): { values: unknown } | undefined }
  }
  const readSync = backend.readSync.bind(backend)
  backend.readSync = (dataId) => {
    if (backend.tensorMap.get(dataId)?.values == null) syncReads += 1
    return readSync(dataId)
  }
}

/** Runs `call` on cpu, then on webgpu, each with models loaded on that backend. */
async function onBoth<T>(call: (models: ModelCache) => Promise<T>): Promise<{ cpu: T; webgpu: T }> {
  const results: Partial<Record<'cpu' | 'webgpu', T>> = {}
  for (const backend of ['cpu', 'webgpu'] as const) {
    await tf.setBackend(backend)
    const models = new ModelCache()
    try {
      results[backend] = await call(models)
    } finally {
      models.dispose()
    }
  }
  await tf.setBackend('cpu')
  return results as { cpu: T; webgpu: T }
}

/** The largest difference of two images' bytes. tanh outputs that differ by ~1e-6 round to the same byte or the next. */
function byteDifference(a: RgbaImage, b: RgbaImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height])
  let worst = 0
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!))
  return worst
}

function expectSameImages(a: readonly RgbaImage[], b: readonly RgbaImage[], limit = 1): void {
  expect(a.length).toBe(b.length)
  a.forEach((image, i) => expect(byteDifference(image, b[i]!), `image ${i}`).toBeLessThanOrEqual(limit))
}

const z = zBatch(GRAY, 31, 1)

describe('explorer paths on webgpu match cpu', () => {
  it('samples', async () => {
    const { cpu, webgpu } = await onBoth((models) => generate(models, { generator: source, seed: 5, count: 4 }))
    expect(webgpu.backend).toBe('webgpu')
    expectSameImages(
      cpu.samples.map((s) => s.image),
      webgpu.samples.map((s) => s.image)
    )
  })

  it('walks and arithmetic (renders of z vectors)', async () => {
    const keys = [0, 1, 2].map((i) => zBatch(GRAY, 40 + i, 1))
    const walk = keyframePath(keys, { mode: 'slerp', stepsPerSegment: 3, loop: false, easing: 'linear' }).map((frame) => frame.z)
    const sum = combine(keys[0]!, keys[1]!, keys[2]!)
    const zs = [...walk, sum]
    const flat = new Float32Array(zs.length * GRAY.zDim)
    zs.forEach((v, i) => flat.set(v, i * GRAY.zDim))
    const { cpu, webgpu } = await onBoth((models) => render(models, { generator: source, z: flat, count: zs.length }))
    expectSameImages(cpu.images, webgpu.images)
  })

  it('feature maps of G and of D', async () => {
    for (const net of ['G', 'D'] as const) {
      const { cpu, webgpu } = await onBoth((models) => features(models, { models: source, net, input: { kind: 'z', z }, layer: null, maxMapsPerLayer: 4 }))
      expect(byteDifference(cpu.image, webgpu.image)).toBeLessThanOrEqual(1)
      expect(webgpu.layers.map((l) => l.name)).toEqual(cpu.layers.map((l) => l.name))
      cpu.layers.forEach((layer, i) => {
        // Strongest first on both; strengths as cpu's to 1e-4 of the layer's strongest.
        const strengths = (l: typeof layer): number[] => l.maps.map((m) => m.strength)
        expect(relativeError(strengths(webgpu.layers[i]!), strengths(layer)), layer.name).toBeLessThan(1e-4)
      })
    }
  })

  it('guided backpropagation, trained and random-init D', async () => {
    const { cpu, webgpu } = await onBoth((models) => guided(models, { models: source, randomSeed: 1, input: { kind: 'z', z }, layer: 'd_conv2', channel: 3 }))
    expect(webgpu.channel).toBe(cpu.channel)
    // Gradients normalised to their largest magnitude, then to bytes.
    expectSameImages([cpu.trained, cpu.random, cpu.plain], [webgpu.trained, webgpu.random, webgpu.plain], 2)
  })
})

describe('experiments on webgpu match cpu', () => {
  it("the probe's D features, and the probe's scores", async () => {
    const images = tf.tidy(() => tf.randomUniform([6, 32, 32, 1], -1, 1, 'float32', 3))
    const imageValues = await images.data()
    images.dispose()
    const { cpu, webgpu } = await onBoth((models) =>
      models.use(source, async (pair) => {
        const discriminator = await pair.network('D')
        const out = tf.tidy(() => discriminatorFeatures(discriminator, tf.tensor4d(imageValues, [6, 32, 32, 1])))
        const values = Array.from(await out.data())
        out.dispose()
        return values
      })
    )
    expect(webgpu.length).toBe(896 * 6)
    expect(relativeError(webgpu, cpu)).toBeLessThan(1e-4)

    const params = {
      models: source,
      datasetDir: labelled,
      randomSeed: 1,
      perClass: 10,
      validationPerClass: 5,
      maxTest: 15,
      seed: 0,
      weightDecays: [1e-2],
      iterations: 15
    }
    const scores = await onBoth((models) => probe(models, params))
    for (const key of ['trainedD', 'randomD', 'pixels'] as const) {
      // The same fit on features equal to 1e-4: at most a borderline example of the 15 may land the other way.
      expect(Math.abs(scores.webgpu[key].testAccuracy - scores.cpu[key].testAccuracy), key).toBeLessThanOrEqual(1 / 15 + 1e-9)
      expect(scores.webgpu[key].features).toBe(scores.cpu[key].features)
    }
  })

  it('projection', async () => {
    const target = (await onBoth((models) => render(models, { generator: source, z: zBatch(GRAY, 77, 1), count: 1 }))).cpu.images[0]!
    const params = { generator: source, image: target, starts: 3, steps: 15, learningRate: 0.05, seed: 0 }
    const { cpu, webgpu } = await onBoth((models) => project(models, params))
    // The random starts score the same; 15 Adam steps from them follow the same gradients (through G's dense
    // layer: dy · Wᵀ, which tfjs-backend-webgpu got wrong; kernels/mat-mul.ts) to the same place.
    expect(relativeError(webgpu.initialErrors, cpu.initialErrors)).toBeLessThan(1e-4)
    expect(webgpu.best).toBe(cpu.best)
    expect(Math.abs(webgpu.error - cpu.error)).toBeLessThan(0.02 * cpu.error)
    expect(relativeError(webgpu.z, cpu.z)).toBeLessThan(1e-2)
    expect(webgpu.error).toBeLessThan(Math.min(...webgpu.initialErrors) / 2)
  })

  it('forgetting to draw: the fit', async () => {
    const count = 8
    const many = zBatch(GRAY, 5, count)
    const boxes = Array.from({ length: count }, (_, i) => [{ x0: (i % 4) / 4, y0: 0.25, x1: (i % 4) / 4 + 0.25, y1: 0.5 }])
    const params = {
      generator: source,
      z: many,
      count,
      boxes,
      layer: null,
      negatives: 'random' as const,
      negativesPerPositive: 1,
      weightDecay: 1e-3,
      iterations: 60,
      seed: 0
    }
    const { cpu, webgpu } = await onBoth((models) => fitErasure(models, params))
    expect(webgpu.layer).toBe(cpu.layer)
    expect([webgpu.positives, webgpu.negatives]).toEqual([cpu.positives, cpu.negatives])
    const byChannel = (maps: typeof cpu.maps): number[] => [...maps].sort((a, b) => a.channel - b.channel).map((m) => m.weight)
    expect(relativeError(byChannel(webgpu.maps), byChannel(cpu.maps))).toBeLessThan(1e-3)
  })
})

describe('on webgpu', () => {
  it('no path read a GPU tensor synchronously', () => {
    expect(syncReads).toBe(0)
  })

  it("renders run each of G's BatchNorms with the ReLU after it in one program, with the same images", async () => {
    await tf.setBackend('webgpu')
    const models = new ModelCache()
    const renderOnce = async (): Promise<{ result: Awaited<ReturnType<typeof render>>; dispatches: number | null }> =>
      countGpuDispatches(() => render(models, { generator: source, z, count: 1 }))
    const fused = tf.getKernel(BATCH_NORM_INFERENCE, 'webgpu')
    try {
      await renderOnce()
      const together = await renderOnce()
      tf.unregisterKernel(BATCH_NORM_INFERENCE, 'webgpu')
      let apart: Awaited<ReturnType<typeof renderOnce>>
      try {
        apart = await renderOnce()
      } finally {
        tf.registerKernel(fused)
      }
      // The tiny model's G: g_bn0, g_bn1 and g_bn2, each followed by its ReLU.
      expect((apart.dispatches ?? 0) - (together.dispatches ?? 0)).toBe(3)
      expectSameImages(apart.result.images, together.result.images, 0)
    } finally {
      models.dispose()
      await tf.setBackend('cpu')
    }
  })

  it('the paths leave no tensors behind', async () => {
    await tf.setBackend('webgpu')
    const models = new ModelCache()
    try {
      await expectNoTensorGrowth(() => render(models, { generator: source, z, count: 1 }))
      await expectNoTensorGrowth(() => guided(models, { models: source, randomSeed: 1, input: { kind: 'z', z }, layer: 'd_conv1', channel: 0 }))
    } finally {
      models.dispose()
      await tf.setBackend('cpu')
    }
  })
})

/** Labelled grey 32 px images: a disc in the left, middle or right third. */
async function thirdsDataset(dir: string, count: number): Promise<string> {
  const size = 32
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
