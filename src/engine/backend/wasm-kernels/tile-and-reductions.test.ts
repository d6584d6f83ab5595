import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { registerWasmGradientKernels } from './index'

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true)
  expect(await tf.setBackend('wasm')).toBe(true)
  registerWasmGradientKernels()
})

// The same computation on both backends, as plain arrays with the result's shape and dtype.
async function onBoth(compute: () => tf.Tensor): Promise<Array<{ values: number[]; shape: number[]; dtype: string }>> {
  const results = []
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend)
    const tensor = compute()
    results.push({ values: Array.from(tensor.dataSync()), shape: tensor.shape, dtype: tensor.dtype })
    tensor.dispose()
  }
  await tf.setBackend('wasm')
  return results
}

function values(shape: number[], seed: number): Float32Array {
  let state = seed
  return Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return (state / 2147483648) * 2 - 1
  })
}

describe('Tile on wasm matches cpu', () => {
  const cases: Array<{ shape: number[]; reps: number[]; dtype: 'float32' | 'int32' | 'bool' }> = [
    { shape: [1, 1, 1, 7], reps: [3, 5, 4, 1], dtype: 'float32' }, // batch norm's gradient
    { shape: [2, 3, 4], reps: [2, 1, 3], dtype: 'float32' },
    { shape: [3, 1, 2, 5], reps: [1, 4, 2, 2], dtype: 'float32' },
    { shape: [5], reps: [7], dtype: 'int32' },
    { shape: [2, 2], reps: [3, 2], dtype: 'bool' },
    { shape: [4, 3], reps: [1, 1], dtype: 'float32' },
    { shape: [2, 0, 3], reps: [2, 2, 2], dtype: 'float32' },
    { shape: [2, 3], reps: [0, 2], dtype: 'float32' }
  ]
  it.each(cases)('tiles $shape by $reps ($dtype)', async ({ shape, reps, dtype }) => {
    const data = values(shape, 3).map((v) => (dtype === 'float32' ? v : v > 0 ? 1 : 0))
    const [wasm, cpu] = await onBoth(() => tf.tidy(() => tf.tile(tf.tensor(data, shape, dtype), reps)))
    expect(wasm).toEqual(cpu)
  })

  it('leaves no tensor or wasm buffer behind', () => {
    const x = tf.ones([1, 1, 3])
    const buffers = tf.backend().numDataIds()
    tf.tile(x, [2, 5, 1]).dispose()
    expect(tf.backend().numDataIds()).toBe(buffers)
    x.dispose()
  })
})

describe('Sum and Mean on wasm match cpu', () => {
  const cases: Array<{ shape: number[]; axis: number | number[] | null; keepDims: boolean }> = [
    { shape: [6, 5, 4, 9], axis: [0, 1, 2], keepDims: false }, // batch norm's moments
    { shape: [6, 5, 4, 9], axis: [2, 0, 1], keepDims: true },
    { shape: [7, 11], axis: 0, keepDims: false },
    { shape: [7, 11], axis: -2, keepDims: true },
    { shape: [3, 4, 5], axis: null, keepDims: false },
    { shape: [3, 4, 5], axis: [0, 1, 2], keepDims: true },
    { shape: [3, 4, 5], axis: [1, 2], keepDims: false }, // inner axes: tfjs's kernel
    { shape: [3, 4, 5], axis: [0, 2], keepDims: false }, // not a leading run: tfjs's kernel
    { shape: [64, 8, 8, 32], axis: [0, 1, 2], keepDims: false }
  ]
  for (const op of ['sum', 'mean'] as const) {
    it.each(cases)(`${op} of $shape over $axis, keepDims $keepDims`, async ({ shape, axis, keepDims }) => {
      const data = values(shape, 5)
      const [wasm, cpu] = await onBoth(() => tf.tidy(() => tf[op](tf.tensor(data, shape), axis ?? undefined, keepDims)))
      expect(wasm?.shape).toEqual(cpu?.shape)
      expect(wasm?.dtype).toBe(cpu?.dtype)
      const scale = Math.max(1, ...(cpu?.values ?? []).map(Math.abs))
      const error = Math.max(0, ...(wasm?.values ?? []).map((v, i) => Math.abs(v - (cpu?.values[i] ?? NaN))))
      expect(error / scale).toBeLessThanOrEqual(1e-5)
    })
  }

  it('leaves int32 sums to tfjs, exactly as cpu', async () => {
    const data = Int32Array.from({ length: 24 }, (_, i) => i * 7 - 50)
    const [wasm, cpu] = await onBoth(() => tf.tidy(() => tf.sum(tf.tensor(data, [4, 6], 'int32'), 0)))
    expect(wasm).toEqual(cpu)
  })
})

describe('Identity on wasm', () => {
  it('shares the buffer, which outlives the original and is freed with the last reference', () => {
    const buffers = tf.backend().numDataIds()
    const x = tf.tensor([1, 2, 3, 4], [2, 2])
    const copy = tf.clone(x)
    expect(tf.backend().numDataIds()).toBe(buffers + 1)
    x.dispose()
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4])
    copy.dispose()
    expect(tf.backend().numDataIds()).toBe(buffers)
  })

  it('keeps string tensors working through tfjs kernel', () => {
    const words = tf.tensor(['a', 'bc'])
    const copy = tf.clone(words)
    expect(copy.arraySync()).toEqual(['a', 'bc'])
    tf.dispose([words, copy])
  })
})
