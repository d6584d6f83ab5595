import { lerp, norm, slerp } from '../../../shared/latent/interpolate'

/**
 * Numbers about a walk the Walk panel shows: how many frames it has and where each lies (as keyframePath in
 * src/shared/latent/interpolate.ts makes them), and why lerp and slerp between two keyframes look alike.
 */

/** Frames of a walk: `steps` per segment, plus the last keyframe on an open path (a loop does not repeat its first). */
export function walkFrameCount(keyframes: number, steps: number, loop: boolean): number {
  if (keyframes < 2) return 0
  const segments = loop ? keyframes : keyframes - 1
  return segments * steps + (loop ? 0 : 1)
}

/** Position t in [0, 1] of frame `index` (0-based) along the whole path. */
export function frameT(index: number, keyframes: number, steps: number, loop: boolean): number {
  const segments = loop ? keyframes : keyframes - 1
  return segments > 0 ? index / (segments * steps) : 0
}

/** "frame 5 / 9, t = 0.50": which of the walk's frames the scrubber is on (1-based) and where on the path. */
export function scrubLabel(frame: number, frames: number, t: number): string {
  return `frame ${frame + 1} / ${frames}, t = ${t.toFixed(2)}`
}

export interface SegmentGeometry {
  /** Angle between the two keyframes seen from the origin, in degrees. */
  angle: number
  lengths: [number, number]
  /** Length of each path's midpoint relative to the keyframes' mean length. */
  lerpMidpoint: number
  slerpMidpoint: number
}

/** The angle between two keyframes and how long lerp's and slerp's midpoints are, relative to their ends. */
export function segmentGeometry(a: Float32Array, b: Float32Array): SegmentGeometry {
  const na = norm(a)
  const nb = norm(b)
  let dot = 0
  for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number)
  const cos = na > 0 && nb > 0 ? Math.min(1, Math.max(-1, dot / (na * nb))) : 1
  const ends = (na + nb) / 2 || 1
  return {
    angle: (Math.acos(cos) * 180) / Math.PI,
    lengths: [na, nb],
    lerpMidpoint: norm(lerp(a, b, 0.5)) / ends,
    slerpMidpoint: norm(slerp(a, b, 0.5)) / ends
  }
}
