import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { trainableVariables } from '../../train/gan-step'
import { randomValues, relativeError, seededRandom } from '../test-support'
import { planPhases } from './conv2d-backprop-input'
import { getWasmKernel, registerWasmGradientKernels, releaseWasmKernelCaches, restoreTfjsWasmKernels } from './index'

const backendAfterImport = tf.getBackend()

// Relative error throughout: max|wasm − cpu| / max(1, max|cpu|), over all elements. Dividing by
// the larger of 1 and the reference's magnitude keeps sums of many products (large) and
// near-zero results (tiny) to the same standard.
const tolerance = 1e-4

let registered: string[] = []

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true)
  expect(await tf.setBackend('wasm')).toBe(true)
  registered = registerWasmGradientKernels()
})

describe('registerWasmGradientKernels', () => {
  it('sets no backend when the module is imported', () => {
    expect(backendAfterImport).toBeFalsy()
  })

  it('registers the filter gradient and the faster kernels, and registering again changes nothing', () => {
    expect(registered).toEqual(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Tile', 'Sum', 'Mean', 'Identity'])
    const filterKernel = getWasmKernel('Conv2DBackpropFilter')
    const inputKernel = getWasmKernel('Conv2DBackpropInput')
    expect(registerWasmGradientKernels()).toEqual(registered)
    expect(getWasmKernel('Conv2DBackpropFilter')).toBe(filterKernel)
    expect(getWasmKernel('Conv2DBackpropInput')?.kernelFunc).toBe(inputKernel?.kernelFunc)
  })

  it("puts tfjs's own kernel back on request, and ours again on the next registration", () => {
    const ours = getWasmKernel('Conv2DBackpropInput')?.kernelFunc
    restoreTfjsWasmKernels()
    const tfjs = getWasmKernel('Conv2DBackpropInput')?.kernelFunc
    expect(tfjs).toBeDefined()
    expect(tfjs).not.toBe(ours)
    expect(getWasmKernel('Conv2DBackpropFilter')).toBeDefined()
    expect(registerWasmGradientKernels()).toEqual(registered)
    expect(getWasmKernel('Conv2DBackpropInput')?.kernelFunc).not.toBe(tfjs)
  })
})

type Shape4 = [number, number, number, number]

interface ConvCase {
  batch: number
  height: number
  width: number
  inChannels: number
  outChannels: number
  kernel: number
  stride: number
  pad: 'same' | 'valid'
}

// Every kernel size × stride × padding, each twice with a random (odd where it can be) shape,
// batch 1 and batch > 1, 1..16 channels.
function convCases(): ConvCase[] {
  const random = seededRandom(7)
  const int = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1))
  const cases: ConvCase[] = []
  for (const kernel of [1, 3, 4, 5]) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        for (const batch of [1, int(2, 4)]) {
          cases.push({
            batch,
            height: kernel + int(0, 6),
            width: kernel + 2 * int(0, 3) + 1,
            inChannels: int(1, 16),
            outChannels: int(1, 16),
            kernel,
            stride,
            pad
          })
        }
      }
    }
  }
  return cases
}

// Stride-2 layers as a DCGAN has them: even sizes and ≥ 16 channels, where the transposed
// convolution runs one XNNPACK convolution per phase ('phases' in conv2d-backprop-input.ts).
function phaseCases(): ConvCase[] {
  const random = seededRandom(8)
  const int = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1))
  const cases: ConvCase[] = []
  for (const kernel of [1, 3, 4, 5]) {
    for (const pad of ['same', 'valid'] as const) {
      for (const batch of [1, int(2, 4)]) {
        const height = 2 * int(Math.ceil(kernel / 2), 5)
        cases.push({ batch, height, width: 2 * int(Math.ceil(kernel / 2), 5), inChannels: int(16, 24), outChannels: int(1, 20), kernel, stride: 2, pad })
      }
    }
  }
  return cases
}

// The filter gradient of a conv2d layer, through tf.grad as training computes it.
function conv2dFilterGradient(c: ConvCase): number[] {
  const x = randomValues([c.batch, c.height, c.width, c.inChannels], 1)
  const filter = randomValues([c.kernel, c.kernel, c.inChannels, c.outChannels], 2)
  return tf.tidy(() => {
    const images = tf.tensor4d(x.values, x.shape as Shape4)
    const loss = (f: tf.Tensor): tf.Tensor => {
      const y = tf.conv2d(images, f as tf.Tensor4D, c.stride, c.pad)
      // A non-uniform dy, so that a transposed or shifted result cannot pass by symmetry.
      return tf.sum(tf.mul(y, tf.sin(tf.range(0, y.size).reshape(y.shape))))
    }
    return Array.from(
      tf
        .grad(loss)(tf.tensor4d(filter.values, filter.shape as Shape4))
        .dataSync()
    )
  })
}

// The filter gradient of a conv2dTranspose layer that upsamples to [batch, height, width, inChannels].
function conv2dTransposeFilterGradient(c: ConvCase): number[] {
  const outShape: Shape4 = [c.batch, c.height, c.width, c.inChannels]
  const filterShape: Shape4 = [c.kernel, c.kernel, c.inChannels, c.outChannels]
  const inShape = tf.backend_util.computeConv2DInfo(outShape, filterShape, c.stride, 1, c.pad).outShape
  const input = randomValues(inShape, 3)
  const filter = randomValues(filterShape, 4)
  return tf.tidy(() => {
    const features = tf.tensor4d(input.values, inShape)
    const loss = (f: tf.Tensor): tf.Tensor => {
      const y = tf.conv2dTranspose(features, f as tf.Tensor4D, outShape, c.stride, c.pad)
      return tf.sum(tf.mul(y, tf.cos(tf.range(0, y.size).reshape(y.shape))))
    }
    return Array.from(tf.grad(loss)(tf.tensor4d(filter.values, filterShape)).dataSync())
  })
}

describe('Conv2DBackpropFilter on wasm matches cpu', () => {
  it.each(convCases())('in conv2d: kernel $kernel, stride $stride, $pad, x [$batch, $height, $width, $inChannels] to $outChannels channels', async (c) => {
    expectClose(await onBackend('wasm', () => conv2dFilterGradient(c)), await onBackend('cpu', () => conv2dFilterGradient(c)), JSON.stringify(c))
  })

  it.each(convCases())(
    'in conv2dTranspose: kernel $kernel, stride $stride, $pad, up to [$batch, $height, $width, $inChannels] from $outChannels channels',
    async (c) => {
      expectClose(
        await onBackend('wasm', () => conv2dTransposeFilterGradient(c)),
        await onBackend('cpu', () => conv2dTransposeFilterGradient(c)),
        JSON.stringify(c)
      )
    }
  )

  const attrCases: Array<{ label: string; x: number[]; filter: number[]; attrs: Record<string, unknown> }> = [
    {
      label: 'explicit asymmetric padding, strides [2, 1]',
      x: [2, 7, 6, 3],
      filter: [4, 3, 3, 5],
      attrs: {
        strides: [2, 1],
        pad: [
          [0, 0],
          [2, 0],
          [1, 3],
          [0, 0]
        ],
        dataFormat: 'NHWC'
      }
    },
    ...(['floor', 'round', 'ceil'] as const).map((mode) => ({
      label: `numeric padding 1 rounded with '${mode}'`,
      x: [2, 8, 7, 4],
      filter: [3, 3, 4, 6],
      attrs: { strides: 2, pad: 1, dataFormat: 'NHWC', dimRoundingMode: mode }
    })),
    {
      label: 'stride larger than the kernel (trailing input rows unused)',
      x: [3, 9, 10, 2],
      filter: [2, 2, 2, 3],
      attrs: { strides: 3, pad: 'valid', dataFormat: 'NHWC' }
    },
    {
      label: "channels-first data ('NCHW')",
      x: [2, 5, 9, 7],
      filter: [4, 4, 5, 6],
      attrs: { strides: 2, pad: 'same', dataFormat: 'NCHW' }
    },
    {
      label: 'batch 8 × 12 channels (the three-step transpose)',
      x: [8, 9, 7, 12],
      filter: [5, 5, 12, 9],
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC' }
    }
  ]

  it.each(attrCases)('respects the attributes: $label', async ({ label, x, filter, attrs }) => {
    const shape = x as Shape4
    const filterShape = filter as Shape4
    const channelsLast = attrs['dataFormat'] === 'NHWC'
    const info = tf.backend_util.computeConv2DInfo(
      shape,
      filterShape,
      attrs['strides'] as number,
      1,
      attrs['pad'] as 'same',
      attrs['dimRoundingMode'] as 'floor' | undefined,
      false,
      channelsLast ? 'channelsLast' : 'channelsFirst'
    )
    const xValues = randomValues(shape, 5)
    const dyValues = randomValues(info.outShape, 6)
    const gradient = (): number[] =>
      tf.tidy(() => {
        const result = tf
          .engine()
          .runKernel<tf.Tensor>(
            'Conv2DBackpropFilter',
            { x: tf.tensor(xValues.values, shape), dy: tf.tensor(dyValues.values, info.outShape) },
            { ...attrs, filterShape }
          )
        expect(result.shape).toEqual(filterShape)
        return Array.from(result.dataSync())
      })
    expectClose(await onBackend('wasm', gradient), await onBackend('cpu', gradient), label)
  })

  it('accepts int32 inputs like the cpu kernel does', async () => {
    const gradient = (): number[] =>
      tf.tidy(() => {
        const x = tf.tensor4d(
          Array.from({ length: 2 * 5 * 5 * 3 }, (_, i) => (i % 7) - 3),
          [2, 5, 5, 3],
          'int32'
        )
        const dy = tf.tensor4d(
          Array.from({ length: 2 * 3 * 3 * 4 }, (_, i) => (i % 5) - 2),
          [2, 3, 3, 4],
          'int32'
        )
        const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] }
        const result = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, attrs)
        expect(result.dtype).toBe('float32')
        return Array.from(result.dataSync())
      })
    expect(await onBackend('wasm', gradient)).toEqual(await onBackend('cpu', gradient))
  })

  it('leaves no tensor or wasm buffer behind', async () => {
    await tf.setBackend('wasm')
    const x = tf.randomNormal([8, 9, 9, 12])
    const dy = tf.randomNormal([8, 5, 5, 16])
    const buffers = (): number => tf.backend().numDataIds()
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 12, 16] }
    for (let round = 0; round < 3; round++) {
      const tensorsBefore = tf.memory().numTensors
      const buffersBefore = buffers()
      const result = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, attrs)
      expect(tf.memory().numTensors).toBe(tensorsBefore + 1)
      expect(buffers()).toBe(buffersBefore + 1)
      result.dispose()
      expect(tf.memory().numTensors).toBe(tensorsBefore)
      expect(buffers()).toBe(buffersBefore)
    }
    tf.dispose([x, dy])
  })
})

// The transposed convolution a conv2dTranspose layer runs forward: [batch, height, width, inChannels]
// out of outChannels input channels.
function conv2dTransposeForward(c: ConvCase): number[] {
  const outShape: Shape4 = [c.batch, c.height, c.width, c.inChannels]
  const filterShape: Shape4 = [c.kernel, c.kernel, c.inChannels, c.outChannels]
  const inShape = tf.backend_util.computeConv2DInfo(outShape, filterShape, c.stride, 1, c.pad).outShape
  const input = randomValues(inShape, 21)
  const filter = randomValues(filterShape, 22)
  return tf.tidy(() => {
    const y = tf.conv2dTranspose(tf.tensor4d(input.values, inShape), tf.tensor4d(filter.values, filterShape), outShape, c.stride, c.pad)
    expect(y.shape).toEqual(outShape)
    return Array.from(y.dataSync())
  })
}

// The input gradient of a conv2d layer, through tf.grad as backprop computes it.
function conv2dInputGradient(c: ConvCase): number[] {
  const x = randomValues([c.batch, c.height, c.width, c.inChannels], 23)
  const filter = randomValues([c.kernel, c.kernel, c.inChannels, c.outChannels], 24)
  return tf.tidy(() => {
    const weights = tf.tensor4d(filter.values, filter.shape as Shape4)
    const loss = (images: tf.Tensor): tf.Tensor => {
      const y = tf.conv2d(images as tf.Tensor4D, weights, c.stride, c.pad)
      return tf.sum(tf.mul(y, tf.sin(tf.range(0, y.size).reshape(y.shape))))
    }
    return Array.from(
      tf
        .grad(loss)(tf.tensor4d(x.values, x.shape as Shape4))
        .dataSync()
    )
  })
}

// Runs the kernel directly, as backprop does, with attributes the public ops never produce.
function runBackpropInput(dyShape: number[], filterShape: number[], attrs: Record<string, unknown>, dtype: 'float32' | 'int32' = 'float32'): () => number[] {
  const dyValues = randomValues(dyShape, 25).values.map((v) => (dtype === 'int32' ? Math.round(v * 4) : v))
  const filterValues = randomValues(filterShape, 26).values.map((v) => (dtype === 'int32' ? Math.round(v * 4) : v))
  return () =>
    tf.tidy(() => {
      const result = tf
        .engine()
        .runKernel<tf.Tensor>(
          'Conv2DBackpropInput',
          { dy: tf.tensor(dyValues, dyShape, dtype), filter: tf.tensor(filterValues, filterShape, dtype) },
          attrs as unknown as tf.NamedAttrMap
        )
      expect(result.shape).toEqual(attrs['inputShape'])
      expect(result.dtype).toBe('float32')
      return Array.from(result.dataSync())
    })
}

describe('Conv2DBackpropInput on wasm (phase-decomposed onto XNNPACK) matches cpu', () => {
  it.each([...convCases(), ...phaseCases()])(
    'as conv2dTranspose: kernel $kernel, stride $stride, $pad, up to [$batch, $height, $width, $inChannels] from $outChannels channels',
    async (c) => {
      expectClose(await onBackend('wasm', () => conv2dTransposeForward(c)), await onBackend('cpu', () => conv2dTransposeForward(c)), JSON.stringify(c))
    }
  )

  it.each([...convCases(), ...phaseCases()])(
    'in the gradient of conv2d: kernel $kernel, stride $stride, $pad, x [$batch, $height, $width, $inChannels] to $outChannels channels',
    async (c) => {
      expectClose(await onBackend('wasm', () => conv2dInputGradient(c)), await onBackend('cpu', () => conv2dInputGradient(c)), JSON.stringify(c))
    }
  )

  // inputShape is dx's shape; dy's follows from it as the forward conv's output.
  const attrCases: Array<{ label: string; inputShape: Shape4; filter: Shape4; attrs: Record<string, unknown>; path: 'phases' | 'grid' | 'tfjs' }> = [
    {
      label: 'explicit asymmetric padding, strides [2, 1]',
      inputShape: [2, 7, 6, 3],
      filter: [4, 3, 3, 5],
      attrs: {
        strides: [2, 1],
        pad: [
          [0, 0],
          [2, 0],
          [1, 3],
          [0, 0]
        ],
        dataFormat: 'NHWC'
      },
      path: 'grid'
    },
    {
      label: 'explicit asymmetric padding, strides [2, 1], per phase',
      inputShape: [2, 8, 6, 16],
      filter: [4, 3, 16, 5],
      attrs: {
        strides: [2, 1],
        pad: [
          [0, 0],
          [2, 0],
          [1, 1],
          [0, 0]
        ],
        dataFormat: 'NHWC'
      },
      path: 'phases'
    },
    {
      label: 'strides [1, 3], kernel 5 × 2',
      inputShape: [3, 6, 11, 4],
      filter: [5, 2, 4, 7],
      attrs: { strides: [1, 3], pad: 'same', dataFormat: 'NHWC' },
      path: 'grid'
    },
    {
      label: 'strides [1, 3], kernel 5 × 3, per phase',
      inputShape: [3, 6, 12, 17],
      filter: [5, 3, 17, 7],
      attrs: { strides: [1, 3], pad: 'same', dataFormat: 'NHWC' },
      path: 'phases'
    },
    ...(['floor', 'round', 'ceil'] as const).map((mode) => ({
      label: `numeric padding 1 rounded with '${mode}'`,
      inputShape: [2, 8, 7, 4] as Shape4,
      filter: [3, 3, 4, 6] as Shape4,
      attrs: { strides: 2, pad: 1, dataFormat: 'NHWC', dimRoundingMode: mode },
      path: 'grid' as const
    })),
    {
      label: 'stride larger than the kernel (trailing dx rows get no contribution)',
      inputShape: [3, 10, 11, 2],
      filter: [2, 2, 2, 3],
      attrs: { strides: 3, pad: 'valid', dataFormat: 'NHWC' },
      path: 'grid'
    },
    {
      label: 'kernel 5, stride 2, same, odd sizes, batch 8 × 24 channels from 16',
      inputShape: [8, 13, 9, 24],
      filter: [5, 5, 24, 16],
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC' },
      path: 'grid'
    },
    {
      label: 'kernel 4, stride 2, same, a DCGAN layer 4×4×64 → 8×8×32 at batch 5',
      inputShape: [5, 8, 8, 32],
      filter: [4, 4, 32, 64],
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC' },
      path: 'phases'
    },
    {
      label: 'the fallback: explicit padding wider than the kernel',
      inputShape: [2, 5, 6, 3],
      filter: [3, 3, 3, 4],
      attrs: {
        strides: 1,
        pad: [
          [0, 0],
          [4, 1],
          [0, 5],
          [0, 0]
        ],
        dataFormat: 'NHWC'
      },
      path: 'tfjs'
    },
    {
      label: "the fallback: channels-first data ('NCHW')",
      inputShape: [2, 5, 9, 7],
      filter: [4, 4, 5, 6],
      attrs: { strides: 2, pad: 'same', dataFormat: 'NCHW' },
      path: 'tfjs'
    }
  ]

  it.each(attrCases)('respects the attributes: $label', async ({ label, inputShape, filter, attrs, path }) => {
    const channelsLast = attrs['dataFormat'] === 'NHWC'
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter,
      attrs['strides'] as number,
      1,
      attrs['pad'] as 'same',
      attrs['dimRoundingMode'] as 'floor' | undefined,
      false,
      channelsLast ? 'channelsLast' : 'channelsFirst'
    )
    const dyInfo: tf.TensorInfo = { dataId: {}, shape: info.outShape, dtype: 'float32' }
    const filterInfo: tf.TensorInfo = { dataId: {}, shape: filter, dtype: 'float32' }
    const kernelAttrs = { ...attrs, inputShape }
    // Which path runs is part of the case: the composition, or tfjs's own kernel.
    expect(planPhases(dyInfo, filterInfo, kernelAttrs as unknown as tf.Conv2DBackpropInputAttrs)?.mode ?? 'tfjs').toBe(path)
    const gradient = runBackpropInput(info.outShape, filter, kernelAttrs)
    expectClose(await onBackend('wasm', gradient), await onBackend('cpu', gradient), label)
  })

  it('accepts int32 inputs like the cpu kernel does', async () => {
    const gradient = runBackpropInput([2, 3, 3, 4], [3, 3, 3, 4], { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 5, 5, 3] }, 'int32')
    expect(await onBackend('wasm', gradient)).toEqual(await onBackend('cpu', gradient))
  })

  it.each([
    { path: 'phases', inputShape: [8, 10, 10, 16] },
    { path: 'grid', inputShape: [8, 9, 9, 12] }
  ])('leaves no tensor, wasm buffer or wasm heap growth behind ($path)', async ({ path, inputShape }) => {
    await tf.setBackend('wasm')
    releaseWasmKernelCaches()
    const dy = tf.randomNormal([8, 5, 5, 16])
    const filterShape = [4, 4, dimensionOf(inputShape, 3), 16]
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape }
    const dyInfo: tf.TensorInfo = { dataId: {}, shape: dy.shape, dtype: 'float32' }
    expect(planPhases(dyInfo, { dataId: {}, shape: filterShape, dtype: 'float32' }, attrs as unknown as tf.Conv2DBackpropInputAttrs)?.mode).toBe(path)
    const buffers = (): number => tf.backend().numDataIds()
    const heapBytes = (): number => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length
    const baseline = buffers()
    let kept = 0
    let heap = 0
    for (let round = 0; round < 12; round++) {
      // A new filter every round, as training makes one every step: nothing keyed on it may pile up.
      const filter = tf.randomNormal(filterShape)
      const tensorsBefore = tf.memory().numTensors
      const result = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, attrs)
      // Calling again with the same filter reuses its rearranged copy.
      tf.dispose(tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, attrs))
      expect(tf.memory().numTensors).toBe(tensorsBefore + 1)
      tf.dispose([result, filter])
      expect(tf.memory().numTensors).toBe(tensorsBefore - 1)
      // What stays is the rearranged copy of the last filter, freed on the next call.
      if (round === 0) kept = buffers() - baseline
      expect(buffers()).toBe(baseline + kept)
      if (round === 1) heap = heapBytes()
      if (round > 1) expect(heapBytes()).toBe(heap)
    }
    expect(kept).toBe(path === 'phases' ? 4 : 1)
    releaseWasmKernelCaches()
    expect(buffers()).toBe(baseline)
    dy.dispose()
    expect(buffers()).toBe(baseline - 1)
  })
})

function dimensionOf(shape: number[], axis: number): number {
  return shape[axis] ?? NaN
}

// A DCGAN as the studio trains it, shrunk to 16×16 grey images, batch 4.
function buildGenerator(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [8], units: 4 * 4 * 16, useBias: false }), // [16·16]
      tf.layers.reshape({ targetShape: [4, 4, 16] }), // [4, 4, 16]
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.conv2dTranspose({ filters: 8, kernelSize: 4, strides: 2, padding: 'same', useBias: false }), // [8, 8, 8]
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' }) // [16, 16, 1]
    ]
  })
}

function buildDiscriminator(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 4, strides: 2, padding: 'same' }), // [8, 8, 8]
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, strides: 2, padding: 'same', useBias: false }), // [4, 4, 16]
      tf.layers.batchNormalization(),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 1, padding: 'valid', useBias: false }), // [2, 2, 16]
      tf.layers.batchNormalization(),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.flatten(), // [64]
      tf.layers.dense({ units: 1, activation: 'sigmoid' }) // [1]
    ]
  })
}

interface Gan {
  generator: tf.Sequential
  discriminator: tf.Sequential
  generatorOptimizer: tf.Optimizer
  discriminatorOptimizer: tf.Optimizer
}

// Every weight, the batch-norm moving statistics included, as plain arrays that can cross backends.
interface GanWeights {
  generator: Float32Array[]
  discriminator: Float32Array[]
}

// Without weights, seeded ones: both backends must start from the same point, and the same point
// on every run, so that no gradient lands near zero by chance and flips Adam's step on one backend.
function buildGan(weights?: GanWeights): Gan {
  const generator = buildGenerator()
  const discriminator = buildDiscriminator()
  for (const [model, values] of [
    [generator, weights?.generator],
    [discriminator, weights?.discriminator]
  ] as const) {
    tf.tidy(() => model.setWeights(model.weights.map((w, i) => tf.tensor(values?.[i] ?? seededWeight(w.name, w.shape as number[], i), w.shape as number[]))))
  }
  return {
    generator,
    discriminator,
    generatorOptimizer: tf.train.adam(2e-4, 0.5),
    discriminatorOptimizer: tf.train.adam(2e-4, 0.5)
  }
}

function seededWeight(name: string, shape: number[], seed: number): Float32Array {
  const { values } = randomValues(shape, 100 + seed)
  // Batch-norm scales and variances stay near 1, their shifts and means near 0.
  const [base, spread] = /gamma|moving_variance/.test(name) ? [1, 0.1] : /beta|moving_mean/.test(name) ? [0, 0.1] : [0, 0.3]
  return values.map((v) => base + spread * v)
}

function ganWeights(gan: Gan): GanWeights {
  return {
    generator: gan.generator.getWeights().map((w) => Float32Array.from(w.dataSync())),
    discriminator: gan.discriminator.getWeights().map((w) => Float32Array.from(w.dataSync()))
  }
}

// The two DCGAN objectives with binary cross-entropy: D tells real from fake, G tries to fool D.
function ganLosses(gan: Gan, real: tf.Tensor4D, noise: tf.Tensor2D): Record<'discriminator' | 'generator', () => tf.Scalar> {
  const bce = (target: number, predicted: tf.Tensor): tf.Scalar =>
    tf.mean(tf.metrics.binaryCrossentropy(tf.fill(predicted.shape as number[], target), predicted))
  const score = (images: tf.Tensor): tf.Tensor => gan.discriminator.apply(images, { training: true }) as tf.Tensor
  const fake = (): tf.Tensor => gan.generator.apply(noise, { training: true }) as tf.Tensor
  return {
    discriminator: () => tf.add(bce(1, score(real)), bce(0, score(fake()))),
    generator: () => bce(1, score(fake()))
  }
}

// One discriminator update, then one generator update; losses as plain numbers.
function trainStep(gan: Gan, real: tf.Tensor4D, noise: tf.Tensor2D): { discriminator: number; generator: number } {
  const losses = ganLosses(gan, real, noise)
  const discriminator = gan.discriminatorOptimizer.minimize(losses.discriminator, true, trainableVariables(gan.discriminator))
  const generator = gan.generatorOptimizer.minimize(losses.generator, true, trainableVariables(gan.generator))
  if (discriminator == null || generator == null) throw new Error('optimizer.minimize returned no loss')
  const values = { discriminator: discriminator.dataSync()[0] ?? NaN, generator: generator.dataSync()[0] ?? NaN }
  tf.dispose([discriminator, generator])
  return values
}

function disposeGan(gan: Gan): void {
  gan.generator.dispose()
  gan.discriminator.dispose()
  gan.generatorOptimizer.dispose()
  gan.discriminatorOptimizer.dispose()
}

describe('a tiny DCGAN training step on wasm', () => {
  const real = randomValues([4, 16, 16, 1], 11)
  const noise = randomValues([4, 8], 12)
  const inputs = (): { batch: tf.Tensor4D; z: tf.Tensor2D } => ({
    batch: tf.tensor4d(real.values, real.shape as Shape4),
    z: tf.tensor2d(noise.values, noise.shape as [number, number])
  })

  it('computes the gradient of every G and D variable as cpu does', async () => {
    const gradients = async (backend: string, weights?: GanWeights) => {
      await tf.setBackend(backend)
      const gan = buildGan(weights)
      const initial = ganWeights(gan)
      const { batch, z } = inputs()
      const losses = ganLosses(gan, batch, z)
      const discriminator = tf.variableGrads(losses.discriminator, trainableVariables(gan.discriminator))
      const generator = tf.variableGrads(losses.generator, trainableVariables(gan.generator))
      const grads = [...Object.values(discriminator.grads), ...Object.values(generator.grads)]
      const values = grads.map((g) => Array.from(g.dataSync()))
      tf.dispose([batch, z, discriminator.value, generator.value, ...grads])
      disposeGan(gan)
      return { initial, values }
    }
    const onCpu = await gradients('cpu')
    const onWasm = await gradients('wasm', onCpu.initial)
    expect(onWasm.values.length).toBe(onCpu.values.length)
    for (const [i, gradient] of onWasm.values.entries()) {
      const reference = onCpu.values[i] ?? []
      // Each gradient against its own size: many are far below 1, where max(1, …) would hide errors.
      const scale = Math.max(...reference.map(Math.abs))
      expect(scale, `gradient ${i}`).toBeGreaterThan(0)
      expectClose(
        gradient.map((g) => g / scale),
        reference.map((g) => g / scale),
        `gradient ${i}`
      )
    }
  })

  it('gives the losses and updated weights of the same steps on cpu', async () => {
    const train = async (backend: string, weights?: GanWeights) => {
      await tf.setBackend(backend)
      const gan = buildGan(weights)
      const initial = ganWeights(gan)
      const { batch, z } = inputs()
      const losses = [trainStep(gan, batch, z), trainStep(gan, batch, z)]
      const updated = ganWeights(gan)
      tf.dispose([batch, z])
      disposeGan(gan)
      return { initial, losses, updated: [...updated.generator, ...updated.discriminator] }
    }
    const onCpu = await train('cpu')
    const onWasm = await train('wasm', onCpu.initial)
    for (const [i, losses] of onWasm.losses.entries()) {
      const reference = onCpu.losses[i]
      expectClose([losses.discriminator, losses.generator], [reference?.discriminator ?? NaN, reference?.generator ?? NaN], `losses of step ${i + 1}`)
    }
    expect(onWasm.updated.length).toBe(onCpu.updated.length)
    for (const [i, weights] of onWasm.updated.entries()) {
      // Adam moves a weight by about the learning rate (2e-4) per step whatever its gradient's
      // size, so one gradient of the wrong sign would show as an error near 4e-4.
      expectClose(weights, onCpu.updated[i] ?? [], `weight ${i}`, 1e-5)
    }
  })

  it('keeps the tensor count flat across steps', async () => {
    await tf.setBackend('wasm')
    const gan = buildGan()
    const { batch, z } = inputs()
    // The first step creates Adam's moment variables; from then on nothing may accumulate.
    trainStep(gan, batch, z)
    const tensors = tf.memory().numTensors
    const buffers = tf.backend().numDataIds()
    for (let step = 0; step < 3; step++) {
      trainStep(gan, batch, z)
      expect(tf.memory().numTensors).toBe(tensors)
      expect(tf.backend().numDataIds()).toBe(buffers)
    }
    tf.dispose([batch, z])
    disposeGan(gan)
  })
})

async function onBackend<T>(backend: string, compute: () => T): Promise<T> {
  await tf.setBackend(backend)
  return compute()
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, limit = tolerance): void {
  expect(actual.length, label).toBe(expected.length)
  // NaN anywhere makes the error NaN, which fails this comparison as it should.
  const error = relativeError(actual, expected)
  if (process.env['REPORT_ERRORS']) console.log(`${label}: ${error.toExponential(2)}`)
  expect(error, label).toBeLessThanOrEqual(limit)
}
