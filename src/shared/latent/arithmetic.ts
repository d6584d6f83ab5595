import type { NoiseSpec } from '../formats/model'
import { Rng } from './random'

/**
 * Vector arithmetic on z (paper Fig. 7): the mean z of each slot's exemplars (single samples were unstable,
 * so the paper averages three), A − B + C, and a fan of neighbours made by adding uniform noise of ±scale.
 */

export function meanVector(vectors: Float32Array[]): Float32Array {
  const first = vectors[0]
  if (!first) throw new Error('A slot needs at least one exemplar.')
  const out = new Float32Array(first.length)
  for (const v of vectors) {
    if (v.length !== first.length) throw new Error(`Exemplars of different lengths (${first.length} and ${v.length}).`)
    for (let i = 0; i < v.length; i++) out[i] = (out[i] as number) + (v[i] as number) / vectors.length
  }
  return out
}

/** a − b + c, element-wise. */
export function combine(a: Float32Array, b: Float32Array, c: Float32Array): Float32Array {
  if (a.length !== b.length || a.length !== c.length) throw new Error('The three vectors must have the same length.')
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) - (b[i] as number) + (c[i] as number)
  return out
}

/** a − b: a concept direction such as "smile" = smiling − neutral. */
export function difference(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new Error('The two vectors must have the same length.')
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) - (b[i] as number)
  return out
}

/** z + strength · direction. */
export function applyDirection(z: Float32Array, direction: Float32Array, strength: number): Float32Array {
  if (z.length !== direction.length) throw new Error(`The concept has ${direction.length} dimensions but z has ${z.length}.`)
  const out = new Float32Array(z.length)
  for (let i = 0; i < z.length; i++) out[i] = (z[i] as number) + strength * (direction[i] as number)
  return out
}

/** `count` neighbours of `center`, each with independent uniform noise in [−scale, +scale] per dimension. */
export function noiseFan(center: Float32Array, count: number, scale: number, seed: number): Float32Array[] {
  const rng = new Rng(seed)
  return Array.from({ length: count }, () => {
    const out = new Float32Array(center.length)
    for (let i = 0; i < center.length; i++) out[i] = (center[i] as number) + scale * (2 * rng.next() - 1)
    return out
  })
}

/**
 * A random walk for "wander" mode: each step moves by `stepSize` in a random direction and is reflected
 * back into the noise range, so the walk never leaves the distribution the model was trained on.
 */
export function randomWalk(start: Float32Array, steps: number, stepSize: number, spec: NoiseSpec, seed: number): Float32Array[] {
  const rng = new Rng(seed)
  const frames: Float32Array[] = [start.slice()]
  let current = start.slice()
  for (let s = 0; s < steps; s++) {
    const next = new Float32Array(current.length)
    let dirNorm = 0
    const dir = new Float32Array(current.length)
    for (let i = 0; i < dir.length; i++) {
      dir[i] = rng.normal()
      dirNorm += (dir[i] as number) ** 2
    }
    dirNorm = Math.sqrt(dirNorm) || 1
    for (let i = 0; i < next.length; i++) next[i] = reflectIntoRange((current[i] as number) + (stepSize * (dir[i] as number)) / dirNorm * Math.sqrt(dir.length), spec)
    frames.push(next)
    current = next
  }
  return frames
}

function reflectIntoRange(x: number, spec: NoiseSpec): number {
  if (spec.kind !== 'uniform') return x
  const { low, high } = spec
  let v = x
  // Reflect at the walls (a few times at most for sane step sizes).
  for (let k = 0; k < 4 && (v < low || v > high); k++) v = v < low ? 2 * low - v : 2 * high - v
  return Math.min(high, Math.max(low, v))
}
