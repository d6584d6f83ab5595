import * as os from 'node:os'
import * as tf from '@tensorflow/tfjs'
import * as wasm from '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { registerWasmGradientKernels } from './index'
import { startWasmBackend, type WasmStart } from './threads'

// Its own test file, so its own process: the thread count is fixed when the wasm backend starts.
let start: WasmStart

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true)
  start = await startWasmBackend()
  registerWasmGradientKernels()
})

describe('the wasm backend with threads in Node', () => {
  it('runs XNNPACK on every core', () => {
    expect(tf.getBackend()).toBe('wasm')
    expect(start.threads, start.reason).toBe(Math.min(8, os.availableParallelism()))
    expect(wasm.getThreadsCount()).toBe(start.threads)
  })

  it('only selects the backend when it is already running', async () => {
    await tf.setBackend('cpu')
    const again = await startWasmBackend(1)
    expect(tf.getBackend()).toBe('wasm')
    expect(again.threads).toBe(start.threads)
  })

  it('gives the results of cpu for the convolutions of a training step', async () => {
    const compute = (): number[][] =>
      tf.tidy(() => {
        const random = (shape: number[], seed: number): tf.Tensor => tf.randomUniform(shape, -1, 1, 'float32', seed)
        const x = random([6, 16, 16, 24], 1) as tf.Tensor4D
        const filter = random([4, 4, 24, 32], 2) as tf.Tensor4D
        const y = tf.conv2d(x, filter, 2, 'same')
        const weights = random(y.shape, 3)
        const [dx, dFilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), weights)))([
          x,
          filter
        ])
        const up = tf.conv2dTranspose(y, filter, [6, 16, 16, 24], 2, 'same')
        return [y, dx, dFilter, up].map((t) => Array.from((t as tf.Tensor).dataSync()))
      })
    await tf.setBackend('wasm')
    const onWasm = compute()
    await tf.setBackend('cpu')
    const onCpu = compute()
    await tf.setBackend('wasm')
    onWasm.forEach((values, i) => {
      const reference = onCpu[i] ?? []
      const scale = Math.max(1, ...reference.map(Math.abs))
      const error = Math.max(...values.map((v, j) => Math.abs(v - (reference[j] ?? NaN))))
      expect(error / scale, `result ${i}`).toBeLessThanOrEqual(1e-4)
    })
  })
})
