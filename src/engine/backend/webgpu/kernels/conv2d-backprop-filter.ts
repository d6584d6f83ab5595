import * as tf from '@tensorflow/tfjs'

interface WebGpuBackendLike {
  disposeData(dataId: tf.DataId): boolean
  device: { limits: { maxStorageBufferBindingSize: number; maxBufferSize: number } }
}

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding
  dataFormat: 'NHWC' | 'NCHW'
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
  filterShape: [number, number, number, number]
}

/**
 * `Conv2DBackpropFilter` (the filter gradient of every conv layer of D, and of G's transposed convolutions'
 * input side) as one batched, tiled matrix product instead of tfjs-backend-webgpu's naive program, in which
 * each of the KH·KW·CI·CO threads walks the whole batch alone. Per filter tap (kh, kw), the inputs that tap
 * meets are a strided slice of the padded input, [B·OH·OW, CI]; its gradient is that sliceᵀ · dy ([B·OH·OW, CO]).
 * The KH·KW slices are stacked into one [KH·KW, B·OH·OW, CI] tensor and multiplied by dy in a single
 * BatchMatMul (dy broadcast over the taps; a batch above 1, so never the split-K program). The stack costs
 * KH·KW / (SH·SW) times the input's memory, freed before returning; where that would pass half the device's
 * largest storage binding, the taps go in groups, one product per group. Shapes the decomposition does not
 * cover (NCHW, a 'valid' padding that leaves input rows unread at the bottom or right, or one tap alone over
 * that budget) keep the original. `budgetBytes` replaces that budget (tests use it to make groups).
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
    // The padded input must reach exactly the last row and column a tap reads.
    const bottom = (outHeight - 1) * strideHeight + filterHeight - inHeight - padInfo.top
    const right = (outWidth - 1) * strideWidth + filterWidth - inWidth - padInfo.left
    if (bottom < 0 || right < 0) return original(args)

    const backend = args.backend as unknown as WebGpuBackendLike
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
    const tap = (index: number, padded: tf.TensorInfo): tf.TensorInfo => {
      const kh = Math.floor(index / filterWidth)
      const kw = index % filterWidth
      const sliced = run(
        tf.StridedSlice,
        { x: padded },
        {
          begin: [0, kh, kw, 0],
          end: [batchSize, kh + (outHeight - 1) * strideHeight + 1, kw + (outWidth - 1) * strideWidth + 1, inChannels],
          strides: [1, strideHeight, strideWidth, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0
        }
      )
      const flat = run(tf.Reshape, { x: sliced }, { shape: [1, positions, inChannels] })
      backend.disposeData(sliced.dataId)
      return flat
    }
    const held: tf.TensorInfo[] = []
    const products: tf.TensorInfo[] = []
    try {
      const padded = run(
        tf.PadV2,
        { x },
        {
          paddings: [
            [0, 0],
            [padInfo.top, bottom],
            [padInfo.left, right],
            [0, 0]
          ],
          constantValue: 0
        }
      )
      held.push(padded)
      const gradient = run(tf.Reshape, { x: dy }, { shape: [1, positions, outChannels] })
      held.push(gradient)
      const tapCount = filterHeight * filterWidth
      // One group of taps at a time: its slices and their stack are freed before the next group is cut.
      for (let first = 0; first < tapCount; first += tapsPerGroup) {
        const group: tf.TensorInfo[] = []
        try {
          for (let index = first; index < Math.min(first + tapsPerGroup, tapCount); index++) group.push(tap(index, padded))
          const stacked = group.length === 1 ? group[0]! : run(tf.Concat, group as unknown as tf.NamedTensorInfoMap, { axis: 0 })
          if (group.length > 1) group.push(stacked)
          products.push(run(tf.BatchMatMul, { a: stacked, b: gradient }, { transposeA: true, transposeB: false }))
        } finally {
          free(group)
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
