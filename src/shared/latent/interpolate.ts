/**
 * Paths through the latent space (paper Fig. 4): linear and spherical interpolation between keyframes, with
 * easing and closed loops. Pure Float32Array math, shared by the Node side (walks, exports) and tests.
 */

export type InterpolationMode = 'lerp' | 'slerp'
export type Easing = 'linear' | 'ease-in-out' | 'ease-in' | 'ease-out'

export function lerp(a: Float32Array, b: Float32Array, t: number, out = new Float32Array(a.length)): Float32Array {
  checkSameLength(a, b)
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) + ((b[i] as number) - (a[i] as number)) * t
  return out
}

/**
 * Spherical interpolation: follows the great circle between the two vectors (scaled between their norms),
 * which keeps intermediate points at the typical radius of high-dimensional noise instead of cutting through
 * the low-density middle as lerp does. Falls back to lerp for (nearly) parallel vectors.
 */
export function slerp(a: Float32Array, b: Float32Array, t: number, out = new Float32Array(a.length)): Float32Array {
  checkSameLength(a, b)
  const na = norm(a)
  const nb = norm(b)
  if (na === 0 || nb === 0) return lerp(a, b, t, out)
  let dot = 0
  for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number)
  const cos = Math.min(1, Math.max(-1, dot / (na * nb)))
  const omega = Math.acos(cos)
  if (omega < 1e-4) return lerp(a, b, t, out)
  const sin = Math.sin(omega)
  const wa = Math.sin((1 - t) * omega) / sin
  const wb = Math.sin(t * omega) / sin
  for (let i = 0; i < a.length; i++) out[i] = wa * (a[i] as number) + wb * (b[i] as number)
  return out
}

export function ease(t: number, easing: Easing): number {
  switch (easing) {
    case 'linear':
      return t
    case 'ease-in':
      return t * t
    case 'ease-out':
      return 1 - (1 - t) * (1 - t)
    case 'ease-in-out':
      return t < 0.5 ? 2 * t * t : 1 - 2 * (1 - t) * (1 - t)
  }
}

export interface PathOptions {
  mode: InterpolationMode
  /** Frames from one keyframe to the next, counting the start but not the end (paper: 9 between two points, i.e. steps=8 gives 9 images with the end). */
  stepsPerSegment: number
  /** Return to the first keyframe at the end (a seamless loop: the last frame is not a repeat of the first). */
  loop: boolean
  easing: Easing
}

export interface PathFrame {
  /** Position along the whole path in [0, 1] (1 only for the final keyframe of an open path). */
  t: number
  /** Which segment (keyframe i → i+1) and where within it. */
  segment: number
  local: number
  z: Float32Array
}

/** The frames of a walk through 2…N keyframes. An open path ends on its last keyframe; a loop does not repeat its first. */
export function keyframePath(keyframes: Float32Array[], options: PathOptions): PathFrame[] {
  if (keyframes.length < 2) throw new Error('A walk needs at least two keyframes.')
  if (!Number.isInteger(options.stepsPerSegment) || options.stepsPerSegment < 1) throw new Error('stepsPerSegment must be a positive integer.')
  const stops = options.loop ? [...keyframes, keyframes[0] as Float32Array] : keyframes
  const segments = stops.length - 1
  const total = segments * options.stepsPerSegment
  const frames: PathFrame[] = []
  for (let segment = 0; segment < segments; segment++) {
    for (let step = 0; step < options.stepsPerSegment; step++) {
      frames.push(frameAt(stops, segment, step / options.stepsPerSegment, (segment * options.stepsPerSegment + step) / total, options))
    }
  }
  if (!options.loop) frames.push(frameAt(stops, segments - 1, 1, 1, options))
  return frames
}

/** One point of a path at global position u in [0, 1] (for scrubbers: any u, not just frame positions). */
export function pathPointAt(keyframes: Float32Array[], u: number, options: Omit<PathOptions, 'stepsPerSegment'>): PathFrame {
  const stops = options.loop ? [...keyframes, keyframes[0] as Float32Array] : keyframes
  const segments = stops.length - 1
  const clamped = Math.min(1, Math.max(0, u))
  const position = clamped * segments
  const segment = Math.min(segments - 1, Math.floor(position))
  return frameAt(stops, segment, position - segment, clamped, options)
}

function frameAt(stops: Float32Array[], segment: number, local: number, t: number, options: { mode: InterpolationMode; easing: Easing }): PathFrame {
  const a = stops[segment] as Float32Array
  const b = stops[segment + 1] as Float32Array
  const eased = ease(local, options.easing)
  const z = options.mode === 'slerp' ? slerp(a, b, eased) : lerp(a, b, eased)
  return { t, segment, local, z }
}

export function norm(v: Float32Array): number {
  let sum = 0
  for (const x of v) sum += x * x
  return Math.sqrt(sum)
}

function checkSameLength(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new Error(`Vectors of different lengths (${a.length} and ${b.length}) cannot be interpolated.`)
}
