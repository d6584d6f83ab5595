import type { WalkTiming } from '../../../shared/api/export'
import { type Easing, type InterpolationMode, ease, lerp, slerp } from '../../../shared/latent/interpolate'

/**
 * Where each frame of an exported walk lies. Several walks in one video move together: frame i sits at the
 * same fraction of every walk, so a walk with more keyframes simply moves faster. With frames per segment,
 * the walk with the most segments sets the frame count; a duration sets it directly.
 *
 * Positions are computed from whole numbers (frame × segments / frames), so a single walk's frames are
 * bit-for-bit the frames of `explore.walk` with the same settings — an export shows what the Walk panel showed.
 */
export interface WalkTimeline {
  frames: number
  fps: number
  durationSeconds: number
  loop: boolean
}

export interface PathStyle {
  mode: InterpolationMode
  easing: Easing
  loop: boolean
}

/** The most frames one export may have (20 minutes at 30 fps). */
export const MAX_FRAMES = 36_000

export function segmentsOf(keyframes: number, loop: boolean): number {
  return loop ? keyframes : keyframes - 1
}

export function planTimeline(keyframeCounts: number[], timing: WalkTiming, fps: number, loop: boolean): WalkTimeline {
  const segments = Math.max(...keyframeCounts.map((n) => segmentsOf(n, loop)))
  // An open walk ends on its last keyframe (one frame more); a loop stops one frame short of its start, so
  // playing it on repeat shows no frame twice.
  const frames = timing.kind === 'frames-per-segment' ? segments * timing.frames + (loop ? 0 : 1) : Math.max(2, Math.round(timing.seconds * fps))
  return { frames, fps, durationSeconds: frames / fps, loop }
}

/** The z of frame `frame` on a walk through `keyframes`. */
export function pointOnWalk(keyframes: Float32Array[], frame: number, timeline: WalkTimeline, style: PathStyle): Float32Array {
  const stops = style.loop ? [...keyframes, keyframes[0] as Float32Array] : keyframes
  const segments = stops.length - 1
  const span = style.loop ? timeline.frames : timeline.frames - 1
  const numerator = frame * segments
  const segment = Math.min(segments - 1, Math.floor(numerator / span))
  const local = (numerator - segment * span) / span
  const a = stops[segment] as Float32Array
  const b = stops[segment + 1] as Float32Array
  const t = ease(local, style.easing)
  return style.mode === 'slerp' ? slerp(a, b, t) : lerp(a, b, t)
}
