import * as tf from '@tensorflow/tfjs'
import type { EmbedResult, EngineEmbedParams } from '../../shared/api/explore'
import { StudioError } from '../../shared/api/errors'
import type { RgbaImage } from '../../shared/api/image'
import { BASE_SIZE } from '../model'
import { forward, forwardOutput } from './forward'
import { throwIfAborted } from './generate'
import type { ModelCache, Network } from './models'
import { pca } from './pca'
import { resizeImages, tensorToRgbaImages } from './pixels'

/**
 * The latent map's layout: each z rendered to a thumbnail and placed in 3D by PCA, either of z itself or of
 * D's features of its image. D's features are the paper's representation (Section 5): the output of every
 * LeakyReLU of D, each max-pooled to a 4×4 grid, flattened and concatenated (896 numbers for a 32×32 model of
 * width 8, 15,360 for 64×64 at width 64). Points are the first three principal components, all scaled by one
 * factor so the farthest coordinate is ±1 (one factor keeps the axes' relative spread).
 */

/** Samples per forward pass: bounds memory for a map of a thousand samples. */
export const EMBED_CHUNK = 64

export interface EmbedContext {
  signal?: AbortSignal
  progress?(fraction: number, message: string): void
}

export async function embed(models: ModelCache, params: EngineEmbedParams, ctx: EmbedContext = {}): Promise<EmbedResult> {
  const { zDim } = params.models.model
  const { count, thumbSize } = params
  if (params.z.length !== count * zDim) {
    throw new StudioError('bad_request', `embed got ${params.z.length} numbers for ${count} z vectors of ${zDim}; it needs ${count * zDim}.`)
  }
  return models.use(params.models, async (pair) => {
    const generator = await pair.network('G')
    const discriminator = params.projection === 'd-features' ? await pair.network('D') : null
    const thumbs: RgbaImage[] = []
    let features: Float32Array | null = null
    // Chunks of equal size, so an untrained G (batch statistics) sees batches alike.
    for (let start = 0; start < count; start += EMBED_CHUNK) {
      throwIfAborted(ctx.signal)
      const n = Math.min(EMBED_CHUNK, count - start)
      const z = params.z.subarray(start * zDim, (start + n) * zDim)
      const tensors = tf.tidy(() => {
        const images = forwardOutput(generator, tf.tensor2d(z, [n, zDim])) as tf.Tensor4D
        const small = resizeImages(images, thumbSize)
        return discriminator ? [small, discriminatorFeatures(discriminator, images)] : [small]
      })
      try {
        const [small, measured] = tensors as [tf.Tensor4D, tf.Tensor2D | undefined]
        thumbs.push(...(await tensorToRgbaImages(small)))
        if (measured) {
          const dims = measured.shape[1]
          features ??= new Float32Array(count * dims)
          features.set(await measured.data(), start * dims)
        }
      } finally {
        tf.dispose(tensors)
      }
      ctx.progress?.((start + n) / count, `Placed ${start + n} of ${count} samples`)
    }
    const data = features ?? params.z
    const { scores, explained } = await pca(data, count, data.length / count, 3)
    return { points: scaleToUnit(scores), thumbs, explained }
  })
}

/**
 * D's representation of a batch of images: every LeakyReLU output max-pooled to a 4×4 grid, flattened and
 * concatenated; [batch, features].
 */
export function discriminatorFeatures(discriminator: Network, images: tf.Tensor4D): tf.Tensor2D {
  const outputs = forward(discriminator, images, { keep: (spec) => spec.kind === 'leakyRelu', upTo: lastActivation(discriminator) })
  const batch = images.shape[0]
  const pooled = outputs.map(({ output }) => {
    const side = output.shape[1] as number
    const window = side / BASE_SIZE
    const grid = window > 1 ? tf.maxPool(output as tf.Tensor4D, window, window, 'valid') : output
    return grid.reshape([batch, -1])
  })
  return tf.concat(pooled, 1) as tf.Tensor2D
}

function lastActivation(discriminator: Network): string {
  const activations = discriminator.plan.filter((spec) => spec.kind === 'leakyRelu')
  const last = activations[activations.length - 1]
  if (!last) throw new Error('D has no LeakyReLU layers')
  return last.name
}

/** Divides every coordinate by the largest magnitude, so points fill about [-1, 1]. */
export function scaleToUnit(values: Float32Array): Float32Array<ArrayBuffer> {
  let peak = 0
  for (const v of values) peak = Math.max(peak, Math.abs(v))
  return Float32Array.from(values, (v) => (peak > 0 ? v / peak : 0))
}
