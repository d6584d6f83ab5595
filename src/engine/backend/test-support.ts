import * as tf from '@tensorflow/tfjs'

/**
 * What the backend tests (wasm kernels, webgpu) compare with: the error measure, and seeded inputs that are the
 * same on every run and every backend.
 */

/**
 * max|actual − expected| / max(1, max|expected|), over all elements. Dividing by the larger of 1 and the
 * reference's magnitude keeps sums of many products (large) and near-zero results (tiny) to the same standard.
 * NaN anywhere makes the error NaN, which fails any comparison with a limit.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0
  let scale = 1
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)))
    scale = Math.max(scale, Math.abs(expected[i] ?? 0))
  }
  return worst / scale
}

/** Uniform values in [-1, 1) of a shape, from a seed. */
export function randomValues(shape: number[], seed: number): { values: Float32Array; shape: number[] } {
  const random = seededRandom(seed)
  const values = new Float32Array(tf.util.sizeFromShape(shape))
  for (let i = 0; i < values.length; i++) values[i] = random() * 2 - 1
  return { values, shape }
}

/** mulberry32: the same inputs on every run and on every backend. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
