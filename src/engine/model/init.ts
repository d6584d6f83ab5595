import * as tf from '@tensorflow/tfjs'
import type { ModelConfig } from '../../shared/formats/model'

/**
 * Weight initialisation shared by both builders, as in PyTorch's DCGAN `weights_init` (the paper's
 * "zero-centred normal with standard deviation 0.02"): conv and dense kernels N(0, std), BatchNorm gamma
 * N(1, std) and beta 0.
 */

/**
 * BatchNorm's momentum as PyTorch's default. tfjs keeps `momentum` of the old running value, PyTorch mixes in
 * `momentum` of the new batch, so PyTorch's 0.1 is 0.9 here. (Epsilon is the model's: ModelConfig.batchNormEpsilon.)
 */
export const BATCH_NORM_MOMENTUM = 0.9

/**
 * A per-layer seed from the model seed and the layer's name. Each layer needs its own seed, or layers of the
 * same shape would start identical; deriving it from the name (not the build order) keeps a layer's start
 * the same whatever is added around it. Never 0: tfjs treats a falsy seed as "no seed" and draws at random.
 */
export function layerSeed(seed: number, layerName: string): number {
  // FNV-1a over the seed and the name; 32 bits is plenty to tell a few dozen layers apart.
  let hash = 0x811c9dc5
  for (const char of `${seed}:${layerName}`) {
    hash ^= char.charCodeAt(0)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0 || 1
}

/** The seed a layer's initialiser gets: derived when the model is seeded, none (random) otherwise. */
function seedFor(seed: number | undefined, layerName: string): number | undefined {
  return seed === undefined ? undefined : layerSeed(seed, layerName)
}

/** N(0, initStd) for the kernel of a conv, deconv or dense layer. */
export function kernelInit(config: ModelConfig, seed: number | undefined, layerName: string): ReturnType<typeof tf.initializers.randomNormal> {
  return tf.initializers.randomNormal({ mean: 0, stddev: config.initStd, seed: seedFor(seed, layerName) })
}

/** A BatchNorm layer initialised and configured like PyTorch's nn.BatchNorm2d under DCGAN's weights_init. */
export function batchNorm(config: ModelConfig, seed: number | undefined, name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({
    name,
    momentum: BATCH_NORM_MOMENTUM,
    epsilon: config.batchNormEpsilon,
    gammaInitializer: tf.initializers.randomNormal({ mean: 1, stddev: config.initStd, seed: seedFor(seed, name) }),
    betaInitializer: 'zeros'
  })
}
