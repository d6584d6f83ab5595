import { assertNever } from '../assert'
import type { NoiseSpec } from '../formats/model'

/**
 * A small seeded PRNG (SFC32, seeded through SplitMix32) so that a seed names a sample on every machine and
 * in every process: the same seed gives the same z in the engine, the CLI and the renderer. Its state is four
 * 32-bit words, which checkpoints store to resume a run's random stream exactly.
 */
export type RngState = readonly [number, number, number, number]

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number | RngState) {
    if (typeof seed === 'number') {
      let s = seed >>> 0
      const next = (): number => {
        s = (s + 0x9e3779b9) >>> 0
        let z = s
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
        return (z ^ (z >>> 16)) >>> 0
      }
      this.a = next()
      this.b = next()
      this.c = next()
      this.d = next()
    } else {
      ;[this.a, this.b, this.c, this.d] = seed
    }
  }

  state(): RngState {
    return [this.a, this.b, this.c, this.d]
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = 0
    while (u === 0) u = this.next()
    const v = this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }
}

/** Fills `out` with draws from the model's noise distribution. */
export function fillNoise<T extends Float32Array>(out: T, spec: NoiseSpec, rng: Rng): T {
  switch (spec.kind) {
    case 'uniform': {
      const span = spec.high - spec.low
      for (let i = 0; i < out.length; i++) out[i] = spec.low + span * rng.next()
      return out
    }
    case 'normal':
      for (let i = 0; i < out.length; i++) out[i] = spec.mean + spec.std * rng.normal()
      return out
    default:
      return assertNever(spec)
  }
}

/**
 * The z vector a seed names: sample `index` of seed `seed`. Each sample gets its own stream so that a grid of
 * 16 and a grid of 64 from the same seed share their first 16 samples.
 */
export function noiseForSeed(seed: number, index: number, zDim: number, spec: NoiseSpec): Float32Array<ArrayBuffer> {
  const rng = new Rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0)
  return fillNoise(new Float32Array(zDim), spec, rng)
}

/** Fisher–Yates shuffle in place with a seeded generator: the same seed gives the same order everywhere. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(values: T, rng: Rng): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1))
    const swap = values[i] as number
    values[i] = values[j] as number
    values[j] = swap
  }
  return values
}
