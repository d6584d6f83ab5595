import type { ImageSize, LayerOptions } from '../../shared/formats/model'
import type { NetName } from '../../shared/formats/model-import'
import type { StoredTensor } from './tensor'

/**
 * A DCGAN's weights in the studio's own layout: the names and tfjs shapes of the layers src/engine/model
 * builds (`g_project/kernel` [nz, 16·w0], `g_deconv1/kernel` [4, 4, out, in], `d_logit/kernel` [16·w, 1], …,
 * NHWC throughout). Every format's reader maps its file into this; the engine writes it as a checkpoint, and
 * exports map it back out. A network the file did not hold is null.
 */
export interface DcganWeights {
  readonly imageSize: ImageSize
  readonly channels: 1 | 3
  readonly zDim: number
  readonly kernelSize: 4 | 5
  /** ngf: channels of G's last hidden layer (null without a generator). */
  readonly genWidth: number | null
  /** ndf: channels of D's first layer (null without a discriminator). */
  readonly discWidth: number | null
  readonly generator: ReadonlyMap<string, StoredTensor> | null
  readonly discriminator: ReadonlyMap<string, StoredTensor> | null
  /** Layer options other than the studio's defaults, for a file from a framework that computes differently. */
  readonly layerOptions?: Partial<LayerOptions>
  /**
   * 'estimate' when the file has no BatchNorm population statistics (the authors' Theano models normalise by
   * each batch's own): the moving means and variances here are placeholders the importer replaces.
   */
  readonly populationStatistics?: 'stored' | 'estimate'
}

export interface WeightSpec {
  readonly name: string
  readonly shape: readonly number[]
}

export interface NetworkShape {
  readonly imageSize: ImageSize
  readonly channels: 1 | 3
  readonly zDim: number
  readonly kernelSize: 4 | 5
  /** ngf for G, ndf for D. */
  readonly width: number
  /** G's first batch norm: per channel (default) or per unit of the dense projection (ModelConfig.projectionNorm). */
  readonly projectionNorm?: LayerOptions['projectionNorm']
}

/** Blocks between the 4×4 base and the image: 3 at 32 px, 4 at 64, 5 at 128 (as src/engine/model/layers.ts). */
export function blocksFor(imageSize: number): number {
  return Math.log2(imageSize / 4)
}

/**
 * The weights a network of this shape has in the studio, in the order its layers come: the same plan as
 * src/engine/model/layers.ts (the engine checks each name and shape against the model it builds).
 */
export function studioWeightSpecs(net: NetName, shape: NetworkShape): WeightSpec[] {
  const n = blocksFor(shape.imageSize)
  const k = shape.kernelSize
  const bn = (layer: string, width: number): WeightSpec[] =>
    ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => ({ name: `${layer}/${w}`, shape: [width] }))
  const specs: WeightSpec[] = []
  if (net === 'G') {
    const width = (i: number): number => shape.width * 2 ** (n - 1 - i)
    specs.push({ name: 'g_project/kernel', shape: [shape.zDim, 16 * width(0)] }, ...bn('g_bn0', shape.projectionNorm === 'unit' ? 16 * width(0) : width(0)))
    for (let i = 1; i < n; i++) specs.push({ name: `g_deconv${i}/kernel`, shape: [k, k, width(i), width(i - 1)] }, ...bn(`g_bn${i}`, width(i)))
    specs.push({ name: 'g_out/kernel', shape: [k, k, shape.channels, width(n - 1)] })
  } else {
    const width = (i: number): number => shape.width * 2 ** i
    specs.push({ name: 'd_conv0/kernel', shape: [k, k, shape.channels, width(0)] })
    for (let i = 1; i < n; i++) specs.push({ name: `d_conv${i}/kernel`, shape: [k, k, width(i - 1), width(i)] }, ...bn(`d_bn${i}`, width(i)))
    specs.push({ name: 'd_logit/kernel', shape: [16 * width(n - 1), 1] })
  }
  return specs
}

/** The network's shape within a DcganWeights (null when the weights have no such network). */
export function networkShape(
  weights: Pick<DcganWeights, 'imageSize' | 'channels' | 'zDim' | 'kernelSize' | 'genWidth' | 'discWidth'>,
  net: NetName
): NetworkShape | null {
  const width = net === 'G' ? weights.genWidth : weights.discWidth
  return width === null ? null : { imageSize: weights.imageSize, channels: weights.channels, zDim: weights.zDim, kernelSize: weights.kernelSize, width }
}

/**
 * What is wrong with a network's weights against the studio's layout (a missing or extra name, a shape), or
 * null. Readers run it on what they made, so a mapping error shows up as a message, not as a broken model.
 */
export function layoutProblem(net: NetName, shape: NetworkShape, weights: ReadonlyMap<string, StoredTensor>): string | null {
  const specs = studioWeightSpecs(net, shape)
  for (const spec of specs) {
    const found = weights.get(spec.name)
    if (!found) return `it has no ${spec.name}`
    if (found.shape.join('×') !== spec.shape.join('×')) return `${spec.name} is [${found.shape.join(', ')}], expected [${spec.shape.join(', ')}]`
  }
  const extra = [...weights.keys()].find((name) => !specs.some((spec) => spec.name === name))
  return extra === undefined ? null : `it has a weight ${extra} the studio's ${net === 'G' ? 'generator' : 'discriminator'} does not`
}
