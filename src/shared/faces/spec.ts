import { Rng } from '../latent/random'
import { BACKGROUNDS, type FaceLabels, HAIR_COLOURS, POSES, SKIN_TONES } from './attributes'

/**
 * Everything a procedural face is drawn from: its labels plus the unlabelled variety (placement, proportions,
 * colours, styles, noise). The style draws do not depend on the labels — a spec holds the beard a masculine
 * face would have and the long hair a feminine one would have — so changing one label with `withLabels`
 * changes only what that attribute draws, which is what tests and concept exemplars need.
 */
export interface FaceSpec extends FaceLabels {
  head: {
    /** Centre of the head ellipse, in image fractions (0…1, y down). */
    cx: number
    cy: number
    /** Horizontal radius in image fractions; the vertical radius is `rx × aspect`. */
    rx: number
    aspect: number
    /** How far a turned face turns, in radians (pose decides the sign; frontal faces use `frontalYaw`). */
    turn: number
    frontalYaw: number
    /** Head tilt in radians (small). */
    roll: number
    /** 0 = tapered jaw and chin, 1 = square; masculine faces add to it. */
    jaw: number
  }
  /** Colour variation within the skin and hair classes: brightness factor and per-channel offsets. */
  skinShade: Shade
  hairShade: Shade
  eyes: { spacing: number; y: number; size: number; iris: number; gaze: number }
  brows: { lift: number; weight: number; tilt: number }
  nose: { length: number; width: number }
  mouth: {
    y: number
    width: number
    /** Flat mouths still vary a little: a slight droop or lift, far below a smile's. */
    neutralCurve: number
    smileLift: number
    openness: number
    /** Index into the lipstick colours, or -1 for natural lips (only feminine faces wear it). */
    lipstick: number
  }
  hairStyle: {
    /** Short styles (masculine): 0 crop, 1 quiff, 2 buzz, 3 receding. */
    short: number
    /** Long styles (feminine): 0 long, 1 long with bangs, 2 bob. */
    long: number
    volume: number
    /** Where long hair ends, 0 (shoulders) … 1 (well below). */
    length: number
    hairline: number
    parting: number
  }
  /** Facial hair a masculine face has: 0 clean-shaven, 1 stubble, 2 full beard, 3 moustache. */
  beard: number
  glassesStyle: { roundness: number; frame: number; thickness: number; lensWidth: number; lensHeight: number; sunglasses: boolean }
  body: { clothes: readonly [number, number, number]; width: number; neckline: number }
  light: { angle: number; strength: number; blush: number }
  backdrop: { kind: number; brightness: number; jitter: readonly [number, number, number]; contrast: number; angle: number }
  finish: { noise: number; blur: number; noiseSeed: number }
}

export interface Shade {
  brightness: number
  offset: readonly [number, number, number]
}

/**
 * Draws a face spec. Binary attributes are independent fair coins; pose, hair, skin and background are
 * uniform over their classes. The number of draws never depends on an earlier draw, so every field of a spec
 * comes from the same position in the random stream whatever the labels are.
 */
export function randomFaceSpec(rng: Rng): FaceSpec {
  const u = (low: number, high: number): number => low + (high - low) * rng.next()
  const index = (n: number): number => Math.min(n - 1, Math.floor(rng.next() * n))
  const pick = <T>(items: readonly T[]): T => items[index(items.length)] as T
  const shade = (spread: number): Shade => ({
    brightness: u(0.9, 1.1),
    offset: [u(-spread, spread), u(-spread, spread), u(-spread, spread)]
  })
  return {
    smiling: rng.next() < 0.5,
    masculine: rng.next() < 0.5,
    glasses: rng.next() < 0.5,
    hair: pick(HAIR_COLOURS),
    skin: pick(SKIN_TONES),
    pose: pick(POSES),
    background: pick(BACKGROUNDS),
    head: {
      cx: u(0.46, 0.54),
      cy: u(0.45, 0.51),
      rx: u(0.22, 0.265),
      aspect: u(1.2, 1.34),
      turn: u(0.38, 0.58),
      frontalYaw: u(-0.06, 0.06),
      roll: u(-0.08, 0.08),
      jaw: u(0, 0.6)
    },
    skinShade: shade(8),
    hairShade: shade(12),
    eyes: { spacing: u(0.34, 0.42), y: u(-0.1, 0.0), size: u(0.85, 1.15), iris: index(5), gaze: u(-0.25, 0.25) },
    brows: { lift: u(0.85, 1.15), weight: u(0.85, 1.15), tilt: u(-0.04, 0.04) },
    nose: { length: u(0.85, 1.15), width: u(0.85, 1.2) },
    mouth: {
      y: u(0.46, 0.55),
      width: u(0.44, 0.56),
      neutralCurve: u(-0.02, 0.015),
      smileLift: u(0.09, 0.14),
      openness: u(0.18, 0.26),
      lipstick: rng.next() < 0.45 ? index(3) : -1
    },
    hairStyle: { short: index(4), long: index(3), volume: u(0, 1), length: u(0, 1), hairline: u(0, 1), parting: u(-1, 1) },
    beard: index(4),
    glassesStyle: {
      roundness: u(2, 5),
      frame: index(6),
      thickness: u(0.1, 0.14),
      lensWidth: u(0.9, 1.1),
      lensHeight: u(0.9, 1.15),
      sunglasses: rng.next() < 0.15
    },
    body: { clothes: [u(0, 1), u(0.2, 0.7), u(0.25, 0.85)], width: u(0.9, 1.1), neckline: u(0, 1) },
    light: { angle: u(0, Math.PI * 2), strength: u(0.06, 0.2), blush: rng.next() < 0.3 ? u(0.08, 0.18) : 0 },
    backdrop: { kind: index(4), brightness: u(0.85, 1.15), jitter: [u(-14, 14), u(-14, 14), u(-14, 14)], contrast: u(0.15, 0.4), angle: u(0, Math.PI * 2) },
    finish: { noise: u(1, 5), blur: u(0, 0.5), noiseSeed: rng.nextUint32() }
  }
}

/** The labels of a spec, as stored beside a dataset. */
export function labelsOf(spec: FaceSpec): FaceLabels {
  const { smiling, masculine, glasses, hair, skin, pose, background } = spec
  return { smiling, masculine, glasses, hair, skin, pose, background }
}

/** The same face with some labels changed; everything unlabelled stays as it was. */
export function withLabels(spec: FaceSpec, labels: Partial<FaceLabels>): FaceSpec {
  return { ...spec, ...labels }
}

/**
 * The seed of face `index` in a set drawn with `seed`: each face has its own stream, so face i is the same
 * whether a set holds 10 faces or 10,000 (and a classifier's held-out faces, at other indices, are new ones).
 */
export function faceSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x2c1b3c6d) ^ Math.imul(index + 1, 0x297a2d39) ^ 0x5bd1e995) >>> 0
}

/** The spec of face `index` of the set drawn with `seed`. */
export function faceSpecAt(seed: number, index: number): FaceSpec {
  return randomFaceSpec(new Rng(faceSeed(seed, index)))
}
