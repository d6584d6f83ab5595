import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSwiftShader } from '../../../../tests/support/swiftshader'
import { releaseBackend, selectBackend } from '../select'
import { randomValues, relativeError } from '../test-support'
import { countGpuDispatches } from './dispatch-count'
import { WEBGPU_FLAGS } from './kernels'
import { createConv2DBackpropFilter } from './kernels/conv2d-backprop-filter'

/**
 * The convolution gradients the studio's webgpu kernels replace (kernels/conv2d-backprop-filter.ts, and the
 * tiled Conv2DBackpropInput program WEBGPU_FLAGS selects), against cpu on the layer shapes DCGANs use: 4×4
 * and 5×5 kernels at stride 2 with 'same' padding (D's convolutions; G's transposed ones are their input
 * gradient), a 3×3 stride-1 layer, a 'valid' padding that leaves rows unread (kept on the original kernel),
 * batch 1 and more, 1 and 3 input channels.
 */

beforeAll(() => requireSwiftShader())
afterAll(() => releaseBackend())

interface Layer {
  label: string
  x: [number, number, number, number]
  filter: [number, number, number, number]
  stride: number
  pad: 'same' | 'valid'
}

const LAYERS: Layer[] = [
  { label: 'D 32 px RGB → 16, kernel 4, batch 2', x: [2, 32, 32, 3], filter: [4, 4, 3, 16], stride: 2, pad: 'same' },
  { label: 'D 16 → 8, kernel 5, batch 3', x: [3, 16, 16, 16], filter: [5, 5, 16, 32], stride: 2, pad: 'same' },
  { label: 'grey 64 px → 32, kernel 4, batch 1', x: [1, 64, 64, 1], filter: [4, 4, 1, 8], stride: 2, pad: 'same' },
  { label: '3×3 stride 1, batch 2', x: [2, 8, 8, 4], filter: [3, 3, 4, 6], stride: 1, pad: 'same' },
  { label: "'valid' 5×5 stride 2 on 10 px (a row left unread)", x: [2, 10, 10, 3], filter: [5, 5, 3, 4], stride: 2, pad: 'valid' }
]

/** Both gradients of one convolution, on the named backend. */
async function gradients(backend: string, layer: Layer): Promise<{ filter: Float32Array; input: Float32Array }> {
  await tf.setBackend(backend)
  const x = randomValues(layer.x, 31)
  const w = randomValues(layer.filter, 32)
  const [filterGrad, inputGrad] = tf.tidy(() => {
    const xs = tf.tensor4d(x.values, layer.x)
    const ws = tf.tensor4d(w.values, layer.filter)
    const outShape = tf.conv2d(xs, ws, layer.stride, layer.pad).shape
    const dy = tf.tensor(randomValues(outShape, 33).values, outShape)
    // As training computes them: the gradients of conv2d, which tfjs-core runs as Conv2DBackpropFilter and
    // Conv2DBackpropInput.
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, layer.stride, layer.pad)
        .mul(dy)
        .sum()
    )([xs, ws])
    return [dw!, dx!]
  })
  const result = { filter: (await filterGrad.data()) as Float32Array, input: (await inputGrad.data()) as Float32Array }
  tf.dispose([filterGrad, inputGrad])
  return result
}

describe("the studio's webgpu convolution gradients", () => {
  it('select the tiled program for the input gradient', async () => {
    await selectBackend('webgpu')
    for (const [flag, value] of Object.entries(WEBGPU_FLAGS)) expect(tf.env().get(flag)).toBe(value)
  })

  it.each(LAYERS)('match cpu and leave nothing behind: $label', async (layer) => {
    const expected = await gradients('cpu', layer)
    await selectBackend('webgpu')
    const tensors = tf.memory().numTensors
    const buffers = tf.backend().numDataIds()
    const actual = await gradients('webgpu', layer)
    // Sums of up to a few thousand products of values in [-1, 1): float32 reordering stays below 1e-5.
    expect(relativeError(actual.filter, expected.filter), 'filter gradient').toBeLessThan(1e-5)
    expect(relativeError(actual.input, expected.input), 'input gradient').toBeLessThan(1e-5)
    expect(tf.memory().numTensors).toBe(tensors)
    expect(tf.backend().numDataIds()).toBe(buffers)
  })

  it('runs a filter gradient as two GPU programs: the taps gathered, then one matrix product', async () => {
    await selectBackend('webgpu')
    const x = tf.tensor4d(randomValues([2, 16, 16, 8], 41).values, [2, 16, 16, 8])
    const dy = tf.tensor4d(randomValues([2, 8, 8, 16], 42).values, [2, 8, 8, 16])
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [4, 4, 8, 16] }
    const { result, dispatches } = await countGpuDispatches(() =>
      Promise.resolve(tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap))
    )
    expect(result.shape).toEqual([4, 4, 8, 16])
    expect(dispatches).toBe(2)
    tf.dispose([x, dy, result])
  })

  it('cuts the taps into groups where their stack would pass the memory budget, with the same result', async () => {
    const layer = LAYERS[1]!
    const expected = await gradients('cpu', layer)
    await selectBackend('webgpu')
    const ours = tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu')
    // One tap of this layer is 3·8·8·16 floats (12 KiB): a 40 KiB budget makes groups of 3 of its 25 taps.
    tf.unregisterKernel(tf.Conv2DBackpropFilter, 'webgpu')
    tf.registerKernel({ ...ours, kernelFunc: createConv2DBackpropFilter(ours.kernelFunc, 40 * 1024) })
    try {
      const buffers = tf.backend().numDataIds()
      const actual = await gradients('webgpu', layer)
      expect(relativeError(actual.filter, expected.filter)).toBeLessThan(1e-5)
      expect(tf.backend().numDataIds()).toBe(buffers)
    } finally {
      tf.unregisterKernel(tf.Conv2DBackpropFilter, 'webgpu')
      tf.registerKernel(ours)
    }
  })
})
