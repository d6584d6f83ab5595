import * as tf from '@tensorflow/tfjs'
import type { EngineGenerateParams, GenerateResult, GeneratorSource } from '../../shared/api/explore'
import { noiseForSeed } from '../../shared/latent/random'
import { buildGenerator, loadModel } from '../model'
import { tensorToRgbaImages } from './pixels'

/**
 * Generation for the explorer. Generators are cached (a few, least recently used first out), so asking for
 * another grid from the same model neither rebuilds three million weights nor reloads a checkpoint.
 */
export class Generation {
  private readonly cache = new Map<string, tf.LayersModel>()
  private static readonly CACHE_SIZE = 3

  async generate(params: EngineGenerateParams): Promise<GenerateResult> {
    const started = performance.now()
    const generator = await this.generator(params.generator)
    const { zDim, noise } = params.generator.model
    const z = Array.from({ length: params.count }, (_, i) => noiseForSeed(params.seed, i, zDim, noise))
    const batch = tf.tidy(() => {
      const flat = new Float32Array(params.count * zDim)
      z.forEach((vector, i) => flat.set(vector, i * zDim))
      const input = tf.tensor2d(flat, [params.count, zDim])
      // A trained generator samples with its BatchNorm moving statistics, so a seed's image does not depend
      // on what else is in the batch. An untrained generator's moving statistics are still their initial 0
      // and 1, which shrink every activation to a flat grey; it normalises with the batch's own statistics, as
      // the paper's Torch code and PyTorch's DCGAN example sample.
      const training = params.generator.kind === 'untrained'
      return generator.apply(input, { training }) as tf.Tensor4D
    })
    const images = await tensorToRgbaImages(batch)
    batch.dispose()
    return {
      samples: images.map((image, i) => ({ z: z[i] as Float32Array<ArrayBuffer>, image })),
      backend: tf.getBackend(),
      millis: performance.now() - started,
      step: null
    }
  }

  private async generator(source: GeneratorSource): Promise<tf.LayersModel> {
    const key = source.kind === 'untrained' ? `untrained:${JSON.stringify(source.model)}#${source.weightSeed}` : `checkpoint:${source.dir}`
    const cached = this.cache.get(key)
    if (cached) {
      // Refresh its place in the LRU order.
      this.cache.delete(key)
      this.cache.set(key, cached)
      return cached
    }
    const model = source.kind === 'untrained' ? buildGenerator(source.model, source.weightSeed) : await loadModel(source.dir)
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
