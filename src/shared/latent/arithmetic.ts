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
 * A random walk for "wander" mode that never leaves where the model's z lives. Each step is `stepSize`·√d
 * long (stepSize per dimension, on average) in a random direction.
 * - Uniform noise: steps are reflected at the walls of [low, high], so the walk stays in the box and, like a
 *   uniform z, spreads through it rather than piling at the walls.
 * - Normal noise: z ~ N(mean, std²) in d dimensions lies near the shell |z − mean| = std·√d, and a walk that
 *   adds up free steps drifts outwards (after n steps its radius is about √(1 + n·stepSize²/std²) times the
 *   shell's). So the walk moves on the shell instead: each step turns z about the mean (a great-circle
 *   step); a start off the shell (the mean of exemplars lies inside it) is brought onto it by at most one
 *   step length per step.
 */
export function randomWalk(start: Float32Array, steps: number, stepSize: number, spec: NoiseSpec, seed: number): Float32Array[] {
  const rng = new Rng(seed)
  const length = stepSize * Math.sqrt(start.length)
  const frames: Float32Array[] = [start.slice()]
  let current: Float32Array = start.slice()
  for (let s = 0; s < steps; s++) {
    const direction = randomUnitVector(current.length, rng)
    current =
      spec.kind === 'uniform'
        ? reflectedStep(current, direction, length, spec)
        : shellStep(current, direction, length, spec.mean, spec.std * Math.sqrt(current.length))
    frames.push(current)
  }
  return frames
}

function randomUnitVector(length: number, rng: Rng): Float32Array {
  const v = new Float32Array(length)
  for (let i = 0; i < length; i++) v[i] = rng.normal()
  const n = Math.hypot(...v) || 1
  for (let i = 0; i < length; i++) v[i] = (v[i] as number) / n
  return v
}

function reflectedStep(z: Float32Array, direction: Float32Array, length: number, range: { low: number; high: number }): Float32Array {
  const { low, high } = range
  return z.map((x, i) => {
    let v = x + length * (direction[i] as number)
    // Reflect at the walls (a few times at most for sane step sizes).
    for (let k = 0; k < 4 && (v < low || v > high); k++) v = v < low ? 2 * low - v : 2 * high - v
    return Math.min(high, Math.max(low, v))
  })
}

/** One step `length` long that ends at distance `shell` from the mean, or `length` nearer to it. */
function shellStep(z: Float32Array, direction: Float32Array, length: number, mean: number, shell: number): Float32Array {
  const x = z.map((v) => v - mean)
  const r = Math.hypot(...x)
  if (r < 1e-9) return direction.map((u) => mean + Math.min(length, shell) * u)
  const target = r + Math.max(-length, Math.min(length, shell - r))
  const along = x.map((v) => v / r)
  // The part of the random direction at right angles to z: turning towards it keeps the distance to the mean.
  const dot = direction.reduce((sum, u, i) => sum + u * (along[i] as number), 0)
  const tangent = direction.map((u, i) => u - dot * (along[i] as number))
  const tn = Math.hypot(...tangent) || 1
  // The angle at which a point at distance `target` lies `length` from z (law of cosines).
  const cos = Math.max(-1, Math.min(1, (r * r + target * target - length * length) / (2 * r * target)))
  const sin = Math.sqrt(1 - cos * cos)
  return along.map((a, i) => mean + target * (cos * a + (sin * (tangent[i] as number)) / tn))
}
