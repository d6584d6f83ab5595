import type * as tf from '@tensorflow/tfjs'
import type { ModelConfig } from '../../shared/formats/model'

/**
 * The layer plan of the paper's generator and discriminator, as plain data. The builders construct exactly
 * these layers, in this order, under these names, so a UI or an experiment can know every layer's name and
 * shape without building (and paying for) a model, and can pick layers out of a built one by name.
 */

/** What a layer does. Activations are layers of their own so their outputs can be read by name. */
export type LayerKind = 'input' | 'dense' | 'reshape' | 'batchNorm' | 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'conv' | 'deconv' | 'flatten'

export interface LayerSpec {
  /** Stable name, also the tfjs layer name: `g_deconv2`, `d_lrelu1`, … */
  readonly name: string
  readonly kind: LayerKind
  /** Output shape of one example, without the batch dimension: [height, width, channels] or [units]. */
  readonly outputShape: readonly number[]
}

export interface ModelLayers {
  readonly generator: readonly LayerSpec[]
  readonly discriminator: readonly LayerSpec[]
}

/** The spatial size both networks meet at: G starts from it, D's last conv ends on it. */
export const BASE_SIZE = 4

/** Doublings between the 4×4 base and the image: 3 for 32, 4 for 64, 5 for 128 (one conv layer each). */
export function doublings(imageSize: number): number {
  return Math.log2(imageSize / BASE_SIZE)
}

/**
 * Generator plan, PyTorch's DCGAN example at any size (64×64, width 64 shown):
 *   z [100] → project [8192] → reshape 4×4×512 → BN → ReLU
 *   → deconv 8×8×256 → BN → ReLU → deconv 16×16×128 → BN → ReLU → deconv 32×32×64 → BN → ReLU
 *   → out 64×64×3 → tanh (no BN on the output, guideline 2)
 * With projectionNorm 'unit' (the authors' Theano G), g_bn0 comes before g_reshape, on the 16·w₀ dense units.
 */
export function describeGenerator(config: ModelConfig): LayerSpec[] {
  const n = doublings(config.imageSize)
  // Widest at 4×4, halving with each doubling so the last hidden layer has genWidth channels.
  const width = (i: number): number => config.genWidth * 2 ** (n - 1 - i)
  const side = (i: number): number => BASE_SIZE * 2 ** i
  const layers: LayerSpec[] = [
    { name: 'g_z', kind: 'input', outputShape: [config.zDim] },
    // Dense on z is PyTorch's first ConvTranspose2d on a 1×1 input: every output pixel sees all of z.
    { name: 'g_project', kind: 'dense', outputShape: [side(0) * side(0) * width(0)] }
  ]
  const grid = [side(0), side(0), width(0)]
  const reshape: LayerSpec = { name: 'g_reshape', kind: 'reshape', outputShape: grid }
  if (config.projectionNorm === 'unit') {
    // The authors' Theano G normalises each of the dense layer's units before the reshape.
    layers.push({ name: 'g_bn0', kind: 'batchNorm', outputShape: [side(0) * side(0) * width(0)] }, reshape)
  } else {
    layers.push(reshape, { name: 'g_bn0', kind: 'batchNorm', outputShape: grid })
  }
  layers.push({ name: 'g_relu0', kind: 'relu', outputShape: grid })
  for (let i = 1; i < n; i++) {
    const shape = [side(i), side(i), width(i)]
    layers.push(
      { name: `g_deconv${i}`, kind: 'deconv', outputShape: shape },
      { name: `g_bn${i}`, kind: 'batchNorm', outputShape: shape },
      { name: `g_relu${i}`, kind: 'relu', outputShape: shape }
    )
  }
  const image = [config.imageSize, config.imageSize, config.channels]
  layers.push({ name: 'g_out', kind: 'deconv', outputShape: image }, { name: 'g_tanh', kind: 'tanh', outputShape: image })
  return layers
}

/**
 * Discriminator plan, PyTorch's DCGAN example at any size (64×64, width 64 shown):
 *   image 64×64×3 → conv 32×32×64 → LeakyReLU (no BN on the input layer, guideline 2)
 *   → conv 16×16×128 → BN → LeakyReLU → conv 8×8×256 → BN → LeakyReLU → conv 4×4×512 → BN → LeakyReLU
 *   → flatten [8192] → logit [1] → sigmoid [1]
 */
export function describeDiscriminator(config: ModelConfig): LayerSpec[] {
  const n = doublings(config.imageSize)
  const width = (i: number): number => config.discWidth * 2 ** i
  const side = (i: number): number => config.imageSize / 2 ** (i + 1)
  const image = [config.imageSize, config.imageSize, config.channels]
  const first = [side(0), side(0), width(0)]
  const layers: LayerSpec[] = [
    { name: 'd_image', kind: 'input', outputShape: image },
    { name: 'd_conv0', kind: 'conv', outputShape: first },
    { name: 'd_lrelu0', kind: 'leakyRelu', outputShape: first }
  ]
  for (let i = 1; i < n; i++) {
    const shape = [side(i), side(i), width(i)]
    layers.push(
      { name: `d_conv${i}`, kind: 'conv', outputShape: shape },
      { name: `d_bn${i}`, kind: 'batchNorm', outputShape: shape },
      { name: `d_lrelu${i}`, kind: 'leakyRelu', outputShape: shape }
    )
  }
  // Flatten + dense(1) is PyTorch's final 4×4 valid conv to one channel: one weight per 4×4×C feature.
  layers.push(
    { name: 'd_flatten', kind: 'flatten', outputShape: [BASE_SIZE * BASE_SIZE * width(n - 1)] },
    { name: 'd_logit', kind: 'dense', outputShape: [1] },
    { name: 'd_sigmoid', kind: 'sigmoid', outputShape: [1] }
  )
  return layers
}

/** Both networks' layer plans for a config; pure, builds nothing. */
export function describeLayers(config: ModelConfig): ModelLayers {
  return { generator: describeGenerator(config), discriminator: describeDiscriminator(config) }
}

/**
 * Number of trainable scalars: conv/dense kernels plus BatchNorm gamma and beta. BatchNorm's moving mean and
 * variance are excluded: tfjs marks them non-trainable, and PyTorch counts them as buffers, not parameters.
 */
export function countTrainableParams(model: tf.LayersModel): number {
  let count = 0
  for (const weight of model.trainableWeights) {
    count += weight.shape.reduce((product: number, dim) => product * (dim ?? 1), 1)
  }
  return count
}
