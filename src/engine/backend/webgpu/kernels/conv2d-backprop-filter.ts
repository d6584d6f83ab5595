import * as tf from '@tensorflow/tfjs'
import { webGpuBackend } from '../backend-internals'
import { flatProgram, runProgram, type StudioProgram } from '../run-program'

/** Threads of the patch-gathering program's workgroup. */
const PATCH_THREADS = 64

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding
  dataFormat: 'NHWC' | 'NCHW'
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
  filterShape: [number, number, number, number]
}

/** x's patches under filter taps first … first + count − 1: [count, B·OH·OW, CI], zero where a tap meets padding. */
function tapPatchesProgram(count: number, positions: number, inChannels: number): StudioProgram {
  const size = count * positions * inChannels
  return flatProgram(
    {
      outputShape: [count, positions, inChannels],
      shaderKey: 'studio_conv_tap_patches',
      variableNames: ['x'],
      workgroupSize: [PATCH_THREADS, 1, 1],
      size: true,
      uniforms:
        'firstTap : i32, filterWidth : i32, strideHeight : i32, strideWidth : i32, padTop : i32, padLeft : i32, inHeight : i32, inWidth : i32, inChannels : i32, outHeight : i32, outWidth : i32, positions : i32,',
      getUserCode: () => `
        fn main(index : i32) {
          if (index < uniforms.size) {
            let channel = index % uniforms.inChannels;
            let rest = index / uniforms.inChannels;
            let position = rest % uniforms.positions;
            let tap = uniforms.firstTap + rest / uniforms.positions;
            let ow = position % uniforms.outWidth;
            let oh = (position / uniforms.outWidth) % uniforms.outHeight;
            let image = position / (uniforms.outWidth * uniforms.outHeight);
            let ih = oh * uniforms.strideHeight + tap / uniforms.filterWidth - uniforms.padTop;
            let iw = ow * uniforms.strideWidth + tap % uniforms.filterWidth - uniforms.padLeft;
            var value = 0.0;
            if (ih >= 0 && ih < uniforms.inHeight && iw >= 0 && iw < uniforms.inWidth) {
              value = x[((image * uniforms.inHeight + ih) * uniforms.inWidth + iw) * uniforms.inChannels + channel];
            }
            setOutputAtIndex(index, value);
          }
        }`
    },
    Math.ceil(size / PATCH_THREADS)
  )
}

/**
 * `Conv2DBackpropFilter` (the filter gradient of every conv layer of D, and of G's transposed convolutions'
 * input side) as one batched, tiled matrix product instead of tfjs-backend-webgpu's naive program, in which
 * each of the KH·KW·CI·CO threads walks the whole batch alone. Per filter tap (kh, kw), the inputs that tap
 * meets form a [B·OH·OW, CI] matrix (zero where the tap meets padding); its gradient is that matrixᵀ · dy
 * ([B·OH·OW, CO]). One program of ours gathers the taps' matrices into a [KH·KW, B·OH·OW, CI] stack, and a single
 * BatchMatMul multiplies it by dy (dy broadcast over the taps; a batch above 1, so never the split-K program):
 * two programs per call, where slicing a padded input tap by tap took about twenty. The stack costs KH·KW /
 * (SH·SW) times the input's memory, freed before returning; where that would pass half the device's largest
 * storage binding, the taps go in groups, one gather and one product per group. NCHW, and one tap alone over
 * that budget, keep the original. `budgetBytes` replaces that budget (tests use it to make groups).
 */
export function createConv2DBackpropFilter(original: tf.KernelFunc, budgetBytes?: number): tf.KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo }
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs
    if (attrs.dataFormat !== 'NHWC') return original(args)
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast'
    )
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info
    const backend = webGpuBackend(args.backend)
    const positions = batchSize * outHeight * outWidth
    const budget = budgetBytes ?? Math.min(backend.device.limits.maxStorageBufferBindingSize, backend.device.limits.maxBufferSize) / 2
    const tapsPerGroup = Math.min(filterHeight * filterWidth, Math.floor(budget / (positions * inChannels * 4)))
    if (tapsPerGroup < 1) return original(args)
    const run = (name: string, inputs: tf.NamedTensorInfoMap, kernelAttrs: Record<string, unknown>): tf.TensorInfo => {
      // getKernel's type says it always finds one; it returns undefined when none is registered.
      const kernel = tf.getKernel(name, 'webgpu') as tf.KernelConfig | undefined
      if (!kernel) throw new Error(`tfjs-backend-webgpu has no ${name} kernel`)
      return kernel.kernelFunc({ inputs, backend: args.backend, attrs: kernelAttrs as unknown as tf.NamedAttrMap }) as tf.TensorInfo
    }
    const free = (tensors: tf.TensorInfo[]): void => {
      for (const t of tensors.splice(0)) backend.disposeData(t.dataId)
    }
    const uniforms = (firstTap: number) =>
      [firstTap, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left, inHeight, inWidth, inChannels, outHeight, outWidth, positions].map(
        (value) => ({ type: 'int32' as const, data: [value] })
      )
    const held: tf.TensorInfo[] = []
    const products: tf.TensorInfo[] = []
    try {
      const gradient = run(tf.Reshape, { x: dy }, { shape: [1, positions, outChannels] })
      held.push(gradient)
      const tapCount = filterHeight * filterWidth
      // One group of taps at a time: its stack is freed before the next group is gathered.
      for (let first = 0; first < tapCount; first += tapsPerGroup) {
        const count = Math.min(tapsPerGroup, tapCount - first)
        const stacked = runProgram(backend, tapPatchesProgram(count, positions, inChannels), [x], uniforms(first))
        try {
          products.push(run(tf.BatchMatMul, { a: stacked, b: gradient }, { transposeA: true, transposeB: false }))
        } finally {
          backend.disposeData(stacked.dataId)
        }
      }
      const all = products.length === 1 ? products[0]! : run(tf.Concat, products as unknown as tf.NamedTensorInfoMap, { axis: 0 })
      if (products.length > 1) products.push(all)
      return run(tf.Reshape, { x: all }, { shape: [filterHeight, filterWidth, inChannels, outChannels] })
    } finally {
      free(products)
      free(held)
    }
  }
}
