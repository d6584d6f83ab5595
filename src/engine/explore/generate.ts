import * as tf from '@tensorflow/tfjs'
import type { GenerateParamsInput, GenerateResult } from '../../shared/api/explore'
import { GenerateParams } from '../../shared/api/explore'
import type { ModelConfig } from '../../shared/formats/model'
import { noiseForSeed } from '../../shared/latent/random'
import { buildGenerator } from '../model'
import { tensorToRgbaImages } from './pixels'

/**
 * Generation for the explorer. Untrained generators are cached by architecture and weight seed, so asking
 * for another grid from the same model does not rebuild (and re-initialise) three million weights.
 */
export class Generation {
  private readonly cache = new Map<string, tf.LayersModel>()
  private static readonly CACHE_SIZE = 2

  async generate(input: GenerateParamsInput): Promise<GenerateResult> {
    const params = GenerateParams.parse(input)
    const started = performance.now()
    const generator = this.untrainedGenerator(params.model, params.weightSeed)
    const { zDim, noise } = params.model
    const z = Array.from({ length: params.count }, (_, i) => noiseForSeed(params.seed, i, zDim, noise))
    const batch = tf.tidy(() => {
      const flat = new Float32Array(params.count * zDim)
      z.forEach((vector, i) => flat.set(vector, i * zDim))
      // An untrained generator's BatchNorm moving statistics are still their initial 0 and 1, which shrink
      // every activation towards zero (a flat grey image). Normalise with the batch's own statistics instead,
      // as the paper's Torch code and PyTorch's DCGAN example sample.
      return generator.apply(tf.tensor2d(flat, [params.count, zDim]), { training: true }) as tf.Tensor4D
    })
    const images = await tensorToRgbaImages(batch)
    batch.dispose()
    return {
      samples: images.map((image, i) => ({ z: z[i] as Float32Array<ArrayBuffer>, image })),
      backend: tf.getBackend(),
      millis: performance.now() - started
    }
  }

  private untrainedGenerator(config: ModelConfig, weightSeed: number): tf.LayersModel {
    const key = `${JSON.stringify(config)}#${weightSeed}`
    const cached = this.cache.get(key)
    if (cached) {
      // Refresh its place in the LRU order.
      this.cache.delete(key)
      this.cache.set(key, cached)
      return cached
    }
    const model = buildGenerator(config, weightSeed)
    this.cache.set(key, model)
    while (this.cache.size > Generation.CACHE_SIZE) {
      const oldest = this.cache.keys().next().value as string
      this.cache.get(oldest)?.dispose()
      this.cache.delete(oldest)
    }
    return model
  }

  dispose(): void {
    for (const model of this.cache.values()) model.dispose()
    this.cache.clear()
  }
}
