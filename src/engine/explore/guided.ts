import * as tf from '@tensorflow/tfjs'
import type { EngineGuidedParams, GuidedResult, ModelSource } from '../../shared/api/explore'
import { StudioError } from '../../shared/api/errors'
import type { RgbaImage } from '../../shared/api/image'
import type { LayerSpec } from '../model'
import { signedImage } from './display'
import { inputImage } from './features'
import { type ActivationOverride, forwardOutput } from './forward'
import type { ModelCache, Network } from './models'
import { tensorToRgbaImages } from './pixels'

/**
 * Guided backpropagation (Springenberg et al. 2015; the paper's Fig. 5): which pixels of the input make one
 * feature map of D fire, shown for the trained D beside a random-init D of the same architecture, and beside
 * the plain gradient.
 *
 * - The feature: channel `c` of the named layer's output; its response is the sum of the map's positive
 *   part (where it fires). The channel left null is the one with the largest mean activation, as the feature
 *   view ranks them.
 * - The guided rule: the forward pass is unchanged, but on the way back every ReLU and LeakyReLU passes a
 *   gradient only where both the gradient and the activation's input are positive. A LeakyReLU's negative
 *   slope therefore passes nothing backwards: the rule keeps only "this unit was active and more of it would
 *   raise the feature", and the small slope would otherwise leak negative evidence back in. Each activation
 *   layer of D is swapped, while running D layer by layer, for a tf.customGrad function with this gradient.
 * - The plain gradient is the same response differentiated through the unchanged network.
 * - Display: each gradient image on its own scale, around mid-gray (0 is gray, the largest magnitude white or
 *   black), so the sign stays visible; all channels of an RGB gradient share that scale.
 * - Batch statistics follow the usual rule: the trained D of a checkpoint uses its moving statistics, an
 *   untrained D (the random-init one) normalises with the statistics of this single image.
 * - Between the image and d_conv0 there is no activation, so for d_conv0 itself guided and plain agree.
 */
export async function guided(models: ModelCache, params: EngineGuidedParams): Promise<GuidedResult> {
  const randomSource: ModelSource = { kind: 'untrained', model: params.models.model, weightSeed: params.randomSeed }
  return models.use(params.models, async (pair) => {
    const trained = await pair.network('D')
    const generator = params.input.kind === 'z' ? await pair.network('G') : null
    const spec = spatialLayer(trained, params.layer)
    return models.use(randomSource, async (randomPair) => {
      const random = await randomPair.network('D')
      const image = tf.tidy(() => inputImage(trained, generator, params.input))
      let gradients: tf.Tensor[] = []
      try {
        const channel = params.channel ?? (await strongestChannel(trained, image, spec.name))
        const channels = spec.outputShape[2] as number
        if (channel >= channels) {
          throw new StudioError('bad_request', `Layer ${spec.name} has ${channels} feature maps (0–${channels - 1}); there is no map ${channel}.`)
        }
        gradients = tf.tidy(() => [
          featureGradient(trained, image, spec.name, channel, guidedActivation),
          featureGradient(random, image, spec.name, channel, guidedActivation),
          featureGradient(trained, image, spec.name, channel, undefined)
        ])
        const { imageSize: size, channels: depth } = trained.config
        const [shown] = await tensorToRgbaImages(image)
        const [guidedTrained, guidedRandom, plain] = (await Promise.all(gradients.map((g) => g.data()))).map((values) =>
          signedImage(values, size, size, depth)
        ) as [RgbaImage, RgbaImage, RgbaImage]
        return { image: shown as RgbaImage, layer: spec.name, channel, trained: guidedTrained, random: guidedRandom, plain }
      } finally {
        image.dispose()
        tf.dispose(gradients)
      }
    })
  })
}

/** A D layer with feature maps (a conv, its BatchNorm or its LeakyReLU), by name. */
function spatialLayer(discriminator: Network, name: string): LayerSpec {
  const spec = discriminator.plan.find((s) => s.name === name)
  if (!spec || spec.outputShape.length !== 3 || spec.kind === 'input') {
    const convs = discriminator.plan.filter((s) => s.kind === 'conv').map((s) => s.name)
    throw new StudioError('bad_request', `Guided backpropagation explains a feature map of a D conv layer (${convs.join(', ')}); '${name}' is not one.`)
  }
  return spec
}

/** The channel of the layer's output with the largest mean activation for this image. */
export async function strongestChannel(discriminator: Network, image: tf.Tensor, layer: string): Promise<number> {
  const means = tf.tidy(() => forwardOutput(discriminator, image, { upTo: layer }).mean([0, 1, 2]))
  const values = await means.data()
  means.dispose()
  let best = 0
  for (let c = 1; c < values.length; c++) if ((values[c] as number) > (values[best] as number)) best = c
  return best
}

/** d(Σ relu(map c of `layer`)) / d(image), through D with the given activation override (none: plain). */
function featureGradient(discriminator: Network, image: tf.Tensor, layer: string, channel: number, activation: ActivationOverride | undefined): tf.Tensor {
  return tf.grad((x: tf.Tensor) => {
    const map = forwardOutput(discriminator, x, { upTo: layer, activation, freeIntermediates: false })
    const [batch, height, width] = map.shape as [number, number, number, number]
    return tf.relu(tf.slice(map, [0, 0, 0, channel], [batch, height, width, 1])).sum()
  })(image)
}

/** ReLU / LeakyReLU forward, guided gradient backward: dy passes where dy > 0 and the input x > 0. */
export const guidedActivation: ActivationOverride = (x, slope) => guidedRelu(slope)(x)

const guidedRelus = new Map<number, (x: tf.Tensor) => tf.Tensor>()

function guidedRelu(slope: number): (x: tf.Tensor) => tf.Tensor {
  let fn = guidedRelus.get(slope)
  if (!fn) {
    fn = tf.customGrad<tf.Tensor>((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, save] = args as [tf.Tensor, tf.GradSaveFunc]
      save([x])
      return {
        value: slope > 0 ? tf.leakyRelu(x, slope) : tf.relu(x),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.relu(dy), tf.step(saved[0] as tf.Tensor))
      }
    })
    guidedRelus.set(slope, fn)
  }
  return fn
}
