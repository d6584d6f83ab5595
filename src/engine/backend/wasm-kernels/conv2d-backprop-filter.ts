import * as tf from '@tensorflow/tfjs'
import { KernelScope, dimension } from './kernel-scope'

type ConvAttrs = tf.Conv2DBackpropFilterAttrs

// The filter gradient of a convolution is itself a convolution, one that XNNPACK (wasm's fast
// Conv2D) runs at close to forward speed:
//   dW[kh, kw, ci, co] = Σ_{b, oy, ox} x[b, oy·sh + kh − top, ox·sw + kw − left, ci] · dy[b, oy, ox, co]
// Read x as Ci images of B channels, [Ci, H, W, B], and dy as a filter [OH, OW, B, Co]. A stride-1
// convolution of the two with dilation (sh, sw) sums over exactly (b, oy, ox) and yields
// [Ci, KH, KW, Co], one transpose away from dW. An im2col built from strided slices and one big
// matMul measured ~10× slower: wasm's StridedSlice and Concat move data far slower than XNNPACK
// computes, while here only three cheap transposes move data.
const conv2dBackpropFilter: tf.KernelFunc = (args) => {
  const { x, dy } = args.inputs
  if (x == null || dy == null) throw new Error('Conv2DBackpropFilter needs the inputs x and dy.')
  if (args.attrs == null) throw new Error('Conv2DBackpropFilter needs its attributes (strides, pad, filterShape, …).')
  const attrs = args.attrs as unknown as ConvAttrs
  const backend = args.backend as tf.KernelBackend
  const scope = new KernelScope(backend, 'wasm')
  try {
    return scope.keep(compute(scope, x, dy, attrs))
  } finally {
    scope.dispose()
  }
}

function compute(scope: KernelScope, x: tf.TensorInfo, dy: tf.TensorInfo, attrs: ConvAttrs): tf.TensorInfo {
  for (const [name, input] of [
    ['x', x],
    ['dy', dy]
  ] as const) {
    if (input.dtype === 'complex64' || input.dtype === 'string') {
      throw new Error(`Conv2DBackpropFilter does not support ${input.dtype} input '${name}'.`)
    }
    if (input.shape.length !== 4) {
      throw new Error(`Conv2DBackpropFilter needs a rank-4 '${name}', got shape [${input.shape.join(',')}].`)
    }
  }
  const channelsLast = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat) === 'channelsLast'
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    channelsLast ? 'channelsLast' : 'channelsFirst'
  )
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info
  if (attrs.filterShape[2] !== inChannels) {
    throw new Error(
      `Conv2DBackpropFilter: filterShape [${attrs.filterShape.join(',')}] expects ${attrs.filterShape[2]} input ` +
        `channels but x [${x.shape.join(',')}] has ${inChannels}.`
    )
  }
  const expectedDy = channelsLast ? [batchSize, outHeight, outWidth, outChannels] : [batchSize, outChannels, outHeight, outWidth]
  if (expectedDy.some((size, i) => size !== dy.shape[i])) {
    throw new Error(
      `Conv2DBackpropFilter: dy has shape [${dy.shape.join(',')}] but x [${x.shape.join(',')}] with filter ` +
        `[${attrs.filterShape.join(',')}] gives [${expectedDy.join(',')}].`
    )
  }

  const images = batchAsChannels(scope, float32(scope, x), channelsLast)
  const filter = outputsAsFilter(scope, float32(scope, dy), channelsLast)

  // Rows past `needHeight` never meet dy; rows before it that the input lacks are the zero padding.
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info
  const { top, left } = info.padInfo
  const needHeight = filterHeight + (outHeight - 1) * strideHeight
  const needWidth = filterWidth + (outWidth - 1) * strideWidth
  const bottom = Math.max(0, needHeight - inHeight - top)
  const right = Math.max(0, needWidth - inWidth - left)
  const product = scope.run('Conv2D', { x: images, filter }, {
    strides: [1, 1],
    pad: [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0]
    ],
    dataFormat: 'NHWC',
    dilations: [strideHeight, strideWidth],
    dimRoundingMode: undefined
  } as unknown as tf.NamedAttrMap)
  // When the forward pass skipped trailing input rows (stride > kernel, or 'floor' rounding),
  // the convolution produced a few extra taps past the kernel: drop them.
  const taps = scope.slice(product, [0, 0, 0, 0], [inChannels, filterHeight, filterWidth, outChannels])
  return scope.transpose(taps, [1, 2, 0, 3])
}

// x as [Ci, H, W, B].
function batchAsChannels(scope: KernelScope, x: tf.TensorInfo, channelsLast: boolean): tf.TensorInfo {
  if (!channelsLast) {
    const [batch, channels, height, width] = x.shape.map((_, i) => dimension(x.shape, i)) as Shape4
    const flat = scope.reshape(x, [batch, channels, height * width])
    return scope.reshape(scope.transpose(flat, [1, 2, 0]), [channels, height, width, batch])
  }
  const [batch, height, width, channels] = x.shape.map((_, i) => dimension(x.shape, i)) as Shape4
  const pixels = scope.reshape(x, [batch, height * width, channels])
  let batchLast: tf.TensorInfo
  if (batch >= 8 && channels >= 8) {
    // wasm's Transpose walks the output in order; done in one go the batch axis is read with a
    // stride of a whole image, missing cache on every element (2.5× slower measured at [64,32,32,64]).
    // Three transposes that each keep a contiguous run or a cache-sized tile are cheaper.
    const byPixel = scope.transpose(pixels, [1, 0, 2]) // [HW, B, Ci]
    const tiles = scope.transpose(byPixel, [0, 2, 1]) // [HW, Ci, B]
    batchLast = scope.transpose(tiles, [1, 0, 2]) // [Ci, HW, B]
  } else {
    batchLast = scope.transpose(pixels, [2, 1, 0])
  }
  return scope.reshape(batchLast, [channels, height, width, batch])
}

// dy as [OH, OW, B, Co].
function outputsAsFilter(scope: KernelScope, dy: tf.TensorInfo, channelsLast: boolean): tf.TensorInfo {
  if (!channelsLast) {
    const [batch, channels, height, width] = dy.shape.map((_, i) => dimension(dy.shape, i)) as Shape4
    const flat = scope.reshape(dy, [batch, channels, height * width])
    return scope.reshape(scope.transpose(flat, [2, 0, 1]), [height, width, batch, channels])
  }
  const [batch, height, width, channels] = dy.shape.map((_, i) => dimension(dy.shape, i)) as Shape4
  const flat = scope.reshape(dy, [batch, height * width, channels])
  return scope.reshape(scope.transpose(flat, [1, 0, 2]), [height, width, batch, channels])
}

// The cpu kernel accepts int32 inputs and returns float32; XNNPACK reads float32 only.
function float32(scope: KernelScope, x: tf.TensorInfo): tf.TensorInfo {
  return x.dtype === 'float32' ? x : scope.run('Cast', { x }, { dtype: 'float32' })
}

type Shape4 = [number, number, number, number]

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter
}
