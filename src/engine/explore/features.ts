import * as tf from '@tensorflow/tfjs'
import type { EngineFeaturesParams, FeatureInput, FeaturesResult, LayerFeatures } from '../../shared/api/explore'
import { StudioError } from '../../shared/api/errors'
import type { RgbaImage } from '../../shared/api/image'
import type { LayerSpec } from '../model'
import { featureMapImage } from './display'
import { forward, forwardOutput } from './forward'
import type { ModelCache, Network } from './models'
import { rgbaToTensor, tensorToRgbaImages } from './pixels'

/**
 * What every layer of G or D computes for one input (paper Fig. 5's subject; the layer stack view): per
 * layer, its strongest feature maps (by mean activation), each as a grayscale image scaled on its own.
 *
 * Layers without a spatial grid: a single-unit layer (D's logit and sigmoid, its verdict) is one 1×1 map
 * whose strength is the raw value and whose pixel is the probability of "real" (white = real). Wider
 * vector layers (G's g_project, D's d_flatten) are listed with their shape but no maps: they hold exactly
 * the numbers of their spatial neighbour (g_reshape, D's last LeakyReLU), which are shown as maps there.
 */
export async function features(models: ModelCache, params: EngineFeaturesParams): Promise<FeaturesResult> {
  return models.use(params.models, async (pair) => {
    if (params.net === 'G' && params.input.kind !== 'z') {
      throw new StudioError('bad_request', "G's features start from a z vector; pick a generated sample, not an image.")
    }
    const network = await pair.network(params.net)
    const generator = params.input.kind === 'z' ? await pair.network('G') : null
    const wanted = layerFilter(network, params.layer)
    const specs: LayerSpec[] = []
    // [the input image (D) or output image (G), then each wanted layer's output]
    const tensors = tf.tidy(() => {
      if (network.net === 'G') {
        // The last output is always there (forward keeps it): G's image.
        const outputs = forward(network, zTensor(network, params.input), { keep: wanted })
        const image = outputs[outputs.length - 1]!.output
        const listed = outputs.filter((o) => wanted(o.spec))
        specs.push(...listed.map((o) => o.spec))
        return [image, ...listed.map((o) => o.output)]
      }
      const image = inputImage(network, generator, params.input)
      const listed = forward(network, image, { keep: wanted, upTo: params.layer ?? undefined })
      specs.push(...listed.map((o) => o.spec))
      return [image, ...listed.map((o) => o.output)]
    })
    try {
      const [imageTensor, ...outputs] = tensors
      const [image] = await tensorToRgbaImages(imageTensor as tf.Tensor4D)
      const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>))
      const layers = specs.map((spec, i) => layerFeatures(spec, values[i] as Float32Array, params.maxMapsPerLayer))
      return { image: image as RgbaImage, layers }
    } finally {
      tf.dispose(tensors)
    }
  })
}

/** Which layers to report: the named one, or every layer after the input. */
export function layerFilter(network: Network, layer: string | null): (spec: LayerSpec) => boolean {
  if (layer === null) return (spec) => spec.kind !== 'input'
  const names = network.plan.filter((spec) => spec.kind !== 'input').map((spec) => spec.name)
  if (!names.includes(layer)) {
    throw new StudioError('bad_request', `${network.net === 'G' ? 'G' : 'D'} has no layer '${layer}'. Its layers are ${names.join(', ')}.`)
  }
  return (spec) => spec.name === layer
}

/** The feature input as z ([1, zDim]); G and a D fed from G need one. */
export function zTensor(network: Network, input: FeatureInput): tf.Tensor2D {
  if (input.kind !== 'z') throw new StudioError('bad_request', 'This view needs a z vector as its input.')
  const { zDim } = network.config
  if (input.z.length !== zDim) {
    throw new StudioError('bad_request', `The z vector has ${input.z.length} numbers, but the model takes ${zDim}.`)
  }
  return tf.tensor2d(input.z, [1, zDim])
}

/** The image D looks at ([1, size, size, channels] in [-1, 1]): the given image, or G's rendering of the z. */
export function inputImage(discriminator: Network, generator: Network | null, input: FeatureInput): tf.Tensor4D {
  const { imageSize, channels } = discriminator.config
  if (input.kind === 'image') return rgbaToTensor(input.image, imageSize, channels)
  if (!generator) throw new Error('inputImage: a z input needs the generator')
  return forwardOutput(generator, zTensor(generator, input)) as tf.Tensor4D
}

/** One layer's report from its output values for a single example (NHWC, or a vector). */
export function layerFeatures(spec: LayerSpec, values: Float32Array, maxMaps: number): LayerFeatures {
  const shape = [...spec.outputShape]
  const base = { name: spec.name, kind: spec.kind, shape }
  if (shape.length !== 3) {
    if (values.length !== 1) return { ...base, maps: [] }
    const value = values[0] as number
    const probability = spec.kind === 'sigmoid' ? value : 1 / (1 + Math.exp(-value))
    const gray = Math.round(255 * probability)
    return { ...base, maps: [{ channel: 0, strength: value, image: { width: 1, height: 1, data: Uint8Array.of(gray, gray, gray, 255) } }] }
  }
  const [height, width, channels] = shape as [number, number, number]
  const strengths = channelMeans(values, channels)
  const order = Array.from(strengths.keys()).sort((a, b) => (strengths[b] as number) - (strengths[a] as number) || a - b)
  const maps = order.slice(0, maxMaps).map((channel) => ({
    channel,
    strength: strengths[channel] as number,
    image: featureMapImage(values, height, width, channels, channel)
  }))
  return { ...base, maps }
}

/** Mean of each channel of one NHWC example. */
export function channelMeans(values: ArrayLike<number>, channels: number): Float64Array {
  const sums = new Float64Array(channels)
  for (let i = 0; i < values.length; i++) sums[i % channels] = (sums[i % channels] as number) + (values[i] as number)
  const pixels = values.length / channels
  return sums.map((sum) => sum / pixels)
}
