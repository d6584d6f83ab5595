import * as tf from '@tensorflow/tfjs'
import type { EngineGenerateParams, EngineRenderParams, GenerateResult, RenderResult } from '../../shared/api/explore'
import { StudioError } from '../../shared/api/errors'
import type { RgbaImage } from '../../shared/api/image'
import { noiseForSeed } from '../../shared/latent/random'
import { forwardOutput } from './forward'
import type { ModelCache, Network } from './models'
import { tensorToRgbaImages } from './pixels'

/**
 * Images from a generator: a seeded grid (`generate`) and explicit z vectors (`render`, the fast path behind
 * walks, arithmetic and live sliders). The generator comes from the model cache, so a call costs one forward
 * pass and one download; nothing is rebuilt or reloaded per call.
 */

export async function generate(models: ModelCache, params: EngineGenerateParams): Promise<GenerateResult> {
  const started = performance.now()
  const { zDim, noise } = params.generator.model
  const z = Array.from({ length: params.count }, (_, i) => noiseForSeed(params.seed, i, zDim, noise))
  const flat = new Float32Array(params.count * zDim)
  z.forEach((vector, i) => flat.set(vector, i * zDim))
  const images = await models.use(params.generator, async (pair) => renderImages(await pair.network('G'), flat, params.count))
  return {
    samples: images.map((image, i) => ({ z: z[i] as Float32Array<ArrayBuffer>, image })),
    backend: tf.getBackend(),
    millis: performance.now() - started,
    step: null
  }
}

export async function render(models: ModelCache, params: EngineRenderParams, signal?: AbortSignal): Promise<RenderResult> {
  const started = performance.now()
  const { zDim } = params.generator.model
  if (params.z.length !== params.count * zDim) {
    throw new StudioError(
      'bad_request',
      `render got ${params.z.length} numbers for ${params.count} z vectors of ${zDim}; it needs count × zDim = ${params.count * zDim}.`
    )
  }
  const images = await models.use(params.generator, async (pair) => {
    const generator = await pair.network('G')
    // A slider request that was superseded while its model loaded is dropped before it costs a forward pass.
    throwIfAborted(signal)
    return renderImages(generator, params.z, params.count)
  })
  return { images, millis: performance.now() - started, backend: tf.getBackend() }
}

/** G's images of `count` z vectors (flattened), as RGBA. */
export async function renderImages(generator: Network, z: Float32Array, count: number): Promise<RgbaImage[]> {
  const batch = renderTensor(generator, z, count)
  try {
    return await tensorToRgbaImages(batch)
  } finally {
    batch.dispose()
  }
}

/** G's output for `count` z vectors: [count, size, size, channels] in [-1, 1]. The caller disposes it. */
export function renderTensor(generator: Network, z: Float32Array, count: number): tf.Tensor4D {
  return tf.tidy(() => forwardOutput(generator, tf.tensor2d(z, [count, generator.config.zDim])) as tf.Tensor4D)
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StudioError('cancelled', 'The request was cancelled before it ran.')
}
