import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSwiftShader } from '../../../../tests/support/swiftshader'
import { releaseBackend, selectBackend } from '../select'
import { randomValues, relativeError } from '../test-support'
import { missingInternals } from './backend-internals'
import { isDawnInstalled } from './dawn'
import { registerWebGpuKernels, restoreTfjsWebGpuKernels } from './kernels'

/**
 * The webgpu rung on SwiftShader, a software adapter: the ladder passes it over and says why, `--backend
 * webgpu` takes it, and releasing the backend leaves nothing of Dawn behind.
 */

beforeAll(() => requireSwiftShader())
afterAll(() => releaseBackend())

const navigatorGpu = (): unknown => (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu

describe('the webgpu rung', () => {
  it('is passed over by the ladder on a software adapter, which it reports with the reason', async () => {
    const choice = await selectBackend(null)
    const attempt = choice.attempts.find((a) => a.backend === 'webgpu')
    expect(attempt?.ok).toBe(false)
    expect(attempt?.reason).toMatch(
      /^SwiftShader driver .* is a software adapter: SwiftShader, .*renders on the CPU, slower than wasm, so the ladder passes it over \(--backend webgpu uses it anyway\)$/
    )
    expect(choice.backend).not.toBe('webgpu')
    expect(choice.webgpuAdapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', fallback: true })
    expect(choice.webgpuAdapter?.software).toMatch(/SwiftShader/)
    expect(choice.gpu).toMatchObject({ available: false })
    expect(choice.gpu.reason).toMatch(/webgpu: SwiftShader/)
    // Nothing of Dawn stays behind a rung that was passed over.
    expect(isDawnInstalled()).toBe(false)
    expect(navigatorGpu()).toBeUndefined()
  })

  it('runs on the software adapter when forced, reporting the adapter and the limits of its device', async () => {
    const choice = await selectBackend('webgpu')
    expect(choice.backend).toBe('webgpu')
    expect(tf.getBackend()).toBe('webgpu')
    expect(choice.attempts).toEqual([
      {
        backend: 'webgpu',
        ok: true,
        reason: expect.stringMatching(
          /^loaded on SwiftShader driver .*\(google swiftshader\), a software adapter used because the backend was forced: SwiftShader, .*renders on the CPU$/
        )
      }
    ])
    expect(choice.gpu.available).toBe(false)
    expect(choice.gpu.reason).toMatch(/software adapter/)
    const device = (tf.backend() as unknown as { device: { limits: Record<string, number> } }).device
    const limits: Record<string, number> = choice.webgpuAdapter?.limits ?? {}
    expect(Object.keys(limits).sort()).toEqual(
      [
        'maxBufferSize',
        'maxComputeInvocationsPerWorkgroup',
        'maxComputeWorkgroupSizeX',
        'maxComputeWorkgroupStorageSize',
        'maxComputeWorkgroupsPerDimension',
        'maxStorageBufferBindingSize'
      ].sort()
    )
    for (const [name, value] of Object.entries(limits)) expect(value, name).toBe(device.limits[name])
    expect(limits['maxStorageBufferBindingSize']).toBeGreaterThanOrEqual(128 << 20)
    // The check the rung makes before it trains on tfjs-backend-webgpu's internals passes on the real backend.
    expect(missingInternals(tf.backend())).toEqual([])
  })

  it('releases the device and navigator.gpu, and starts again afterwards', async () => {
    releaseBackend()
    expect(tf.findBackend('webgpu')).toBeNull()
    expect(navigatorGpu()).toBeUndefined()
    expect(isDawnInstalled()).toBe(false)
    const again = await selectBackend('webgpu')
    expect(again.backend).toBe('webgpu')
    const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]))
    expect(Array.from(await sum.data())).toEqual([4, 6])
    sum.dispose()
  })

  it('refuses a tfjs-backend-webgpu whose internals moved, naming what it lacks, and holds nothing of Dawn after', async () => {
    await selectBackend('webgpu')
    // The backend's class, as a later tfjs-backend-webgpu without one of the members the studio's kernels use.
    const prototype = Object.getPrototypeOf(tf.backend()) as Record<string, unknown>
    const makeUniforms = prototype['makeUniforms']
    releaseBackend()
    delete prototype['makeUniforms']
    try {
      await expect(selectBackend('webgpu')).rejects.toThrow(
        /webgpu: the installed @tensorflow\/tfjs-backend-webgpu lacks what the studio's GPU kernels use \(makeUniforms\); they are written for its version 4\.22\.0/
      )
      expect(isDawnInstalled()).toBe(false)
      expect(navigatorGpu()).toBeUndefined()
    } finally {
      prototype['makeUniforms'] = makeUniforms
    }
    expect((await selectBackend('webgpu')).backend).toBe('webgpu')
  })
})

describe("the studio's webgpu kernels", () => {
  // More inputs than a shader may bind storage buffers (8 by default): the trainer's finiteness check sums
  // one value per weight and Adam moment. Integers, so that the sum is exact on both backends.
  const inputs = Array.from({ length: 65 }, (_, i) => Array.from({ length: 6 }, (_, j) => ((i * 7 + j * 3) % 11) - 5))

  async function addN(backend: string): Promise<number[]> {
    await tf.setBackend(backend)
    const result = tf.tidy(() => tf.addN(inputs.map((values) => tf.tensor1d(values))))
    const values = Array.from(await result.data())
    result.dispose()
    return values
  }

  it('AddN sums more inputs than one shader can bind, as cpu does, and leaves nothing behind', async () => {
    const expected = await addN('cpu')
    await selectBackend('webgpu')
    const before = tf.memory().numTensors
    const buffers = tf.backend().numDataIds()
    expect(await addN('webgpu')).toEqual(expected)
    expect(tf.memory().numTensors).toBe(before)
    expect(tf.backend().numDataIds()).toBe(buffers)
    // And with exactly one group more than fits, and a group of one left over.
    const eight = tf.tidy(() => tf.addN(inputs.slice(0, 8).map((values) => tf.tensor1d(values))))
    const reference = inputs[0]!.map((_, j) => inputs.slice(0, 8).reduce((sum, row) => sum + row[j]!, 0))
    expect(Array.from(await eight.data())).toEqual(reference)
    eight.dispose()
  })

  it("is what fixes AddN: tfjs-backend-webgpu's own kernel gets it wrong", async () => {
    const expected = await addN('cpu')
    await selectBackend('webgpu')
    restoreTfjsWebGpuKernels()
    try {
      expect(await addN('webgpu')).not.toEqual(expected)
    } finally {
      registerWebGpuKernels()
    }
  })

  // A dense layer's input gradient, dy · Wᵀ: G's gradient with respect to z (projection follows it), batch 3,
  // 4096 units, 100-dimensional z. Plain and fused (with a bias), as tfjs-core runs both.
  const dy = randomValues([3, 4096], 21)
  const weights = randomValues([100, 4096], 22)
  const bias = randomValues([100], 23)

  async function products(backend: string): Promise<number[][]> {
    await tf.setBackend(backend)
    const results = tf.tidy(() => {
      const a = tf.tensor2d(dy.values, [3, 4096])
      const b = tf.tensor2d(weights.values, [100, 4096])
      return [tf.matMul(a, b, false, true), tf.fused.matMul({ a, b, transposeB: true, bias: tf.tensor1d(bias.values), activation: 'relu' })]
    })
    const values = await Promise.all(results.map(async (r) => Array.from(await r.data())))
    tf.dispose(results)
    return values
  }

  it('multiplies by a transposed matrix over a long inner dimension as cpu does', async () => {
    const expected = await products('cpu')
    await selectBackend('webgpu')
    const before = tf.memory().numTensors
    const buffers = tf.backend().numDataIds()
    const actual = await products('webgpu')
    // Sums of 4096 products of values in [-1, 1): float32 reordering stays far below 1e-5 of the largest.
    actual.forEach((values, i) => expect(relativeError(values, expected[i]!), `product ${i}`).toBeLessThan(1e-5))
    expect(tf.memory().numTensors).toBe(before)
    expect(tf.backend().numDataIds()).toBe(buffers)
  })

  it("is what fixes that product: tfjs-backend-webgpu's split-K program gets it wrong", async () => {
    const expected = await products('cpu')
    await selectBackend('webgpu')
    restoreTfjsWebGpuKernels()
    try {
      const actual = await products('webgpu')
      expect(relativeError(actual[0]!, expected[0]!)).toBeGreaterThan(0.1)
    } finally {
      registerWebGpuKernels()
    }
  })
})
