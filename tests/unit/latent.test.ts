import { describe, expect, it } from 'vitest'
import { applyDirection, combine, difference, meanVector, noiseFan, randomWalk } from '../../src/shared/latent/arithmetic'
import { ease, keyframePath, lerp, norm, pathPointAt, slerp } from '../../src/shared/latent/interpolate'
import { noiseForSeed } from '../../src/shared/latent/random'

const spec = { kind: 'uniform', low: -1, high: 1 } as const
const z = (seed: number): Float32Array => noiseForSeed(seed, 0, 100, spec)

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)))
  return m
}

describe('interpolation', () => {
  it('lerp and slerp start and end on their endpoints', () => {
    const a = z(1)
    const b = z(2)
    for (const f of [lerp, slerp]) {
      expect(maxAbsDiff(f(a, b, 0), a)).toBeLessThan(1e-6)
      expect(maxAbsDiff(f(a, b, 1), b)).toBeLessThan(1e-6)
    }
    expect(
      maxAbsDiff(
        lerp(a, b, 0.5),
        a.map((v, i) => (v + (b[i] as number)) / 2)
      )
    ).toBeLessThan(1e-6)
  })

  it('slerp keeps the norm between equal-norm vectors where lerp shrinks it', () => {
    const a = new Float32Array([1, 0, 0])
    const b = new Float32Array([0, 1, 0])
    expect(norm(slerp(a, b, 0.5))).toBeCloseTo(1, 6)
    expect(norm(lerp(a, b, 0.5))).toBeCloseTo(Math.SQRT1_2, 6)
    expect(Array.from(slerp(a, b, 0.5))).toEqual([Math.SQRT1_2, Math.SQRT1_2, 0].map((v) => Math.fround(v)))
  })

  it('falls back to lerp for parallel vectors', () => {
    const a = new Float32Array([1, 2, 3])
    expect(
      Array.from(
        slerp(
          a,
          a.map((v) => v * 2),
          0.5
        )
      )
    ).toEqual([1.5, 3, 4.5])
  })

  it('eases monotonically from 0 to 1', () => {
    for (const e of ['linear', 'ease-in', 'ease-out', 'ease-in-out'] as const) {
      expect(ease(0, e)).toBe(0)
      expect(ease(1, e)).toBe(1)
      for (let i = 0; i < 10; i++) expect(ease((i + 1) / 10, e)).toBeGreaterThanOrEqual(ease(i / 10, e))
    }
  })
})

describe('keyframe paths', () => {
  it("makes the paper's 9 images between two points, ending on the last keyframe", () => {
    const frames = keyframePath([z(1), z(2)], { mode: 'lerp', stepsPerSegment: 8, loop: false, easing: 'linear' })
    expect(frames).toHaveLength(9)
    expect(maxAbsDiff(frames[0]?.z as Float32Array, z(1))).toBe(0)
    expect(maxAbsDiff(frames[8]?.z as Float32Array, z(2))).toBeLessThan(1e-6)
    expect(frames.map((f) => f.t)).toEqual([0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1])
  })

  it('closes a loop without repeating the first frame, and moves in small steps throughout', () => {
    const keys = [z(1), z(2), z(3)]
    const frames = keyframePath(keys, { mode: 'slerp', stepsPerSegment: 10, loop: true, easing: 'linear' })
    expect(frames).toHaveLength(30)
    const last = frames[29]?.z as Float32Array
    const wrap = maxAbsDiff(last, keys[0] as Float32Array)
    const endpoints = maxAbsDiff(keys[0] as Float32Array, keys[1] as Float32Array)
    expect(wrap).toBeLessThan(endpoints / 4)
    for (let i = 1; i < frames.length; i++) {
      expect(maxAbsDiff(frames[i]?.z as Float32Array, frames[i - 1]?.z as Float32Array)).toBeLessThan(endpoints / 4)
    }
  })

  it('gives any point of the path for a scrubber, matching the frames at frame positions', () => {
    const keys = [z(1), z(2), z(3)]
    const options = { mode: 'lerp', loop: false, easing: 'ease-in-out' } as const
    const frames = keyframePath(keys, { ...options, stepsPerSegment: 4 })
    for (const frame of frames) expect(maxAbsDiff(pathPointAt(keys, frame.t, options).z, frame.z)).toBeLessThan(1e-6)
  })

  it('refuses a walk with fewer than two keyframes', () => {
    expect(() => keyframePath([z(1)], { mode: 'lerp', stepsPerSegment: 8, loop: false, easing: 'linear' })).toThrow(/two keyframes/)
  })
})

describe('vector arithmetic', () => {
  it('averages exemplars and computes a − b + c', () => {
    const a = meanVector([new Float32Array([1, 2]), new Float32Array([3, 4]), new Float32Array([5, 6])])
    expect(Array.from(a)).toEqual([3, 4])
    expect(Array.from(combine(new Float32Array([3, 4]), new Float32Array([1, 1]), new Float32Array([0, 2])))).toEqual([2, 5])
    expect(Array.from(difference(new Float32Array([3, 4]), new Float32Array([1, 1])))).toEqual([2, 3])
    expect(Array.from(applyDirection(new Float32Array([1, 1]), new Float32Array([2, -2]), 0.5))).toEqual([2, 0])
    expect(() => meanVector([])).toThrow(/at least one exemplar/)
  })

  it('makes a fan of neighbours within ±scale of the result, different from each other, reproducibly', () => {
    const center = z(4)
    const fan = noiseFan(center, 8, 0.25, 9)
    expect(fan).toHaveLength(8)
    for (const v of fan) {
      expect(maxAbsDiff(v, center)).toBeLessThanOrEqual(0.25)
      expect(maxAbsDiff(v, center)).toBeGreaterThan(0.1)
    }
    expect(maxAbsDiff(fan[0] as Float32Array, fan[1] as Float32Array)).toBeGreaterThan(0)
    expect(noiseFan(center, 8, 0.25, 9)).toEqual(fan)
  })

  it('keeps a random walk inside the model noise range', () => {
    const frames = randomWalk(z(5), 200, 0.2, spec, 3)
    expect(frames).toHaveLength(201)
    for (const f of frames) for (const v of f) expect(Math.abs(v)).toBeLessThanOrEqual(1)
    expect(maxAbsDiff(frames[0] as Float32Array, frames[200] as Float32Array)).toBeGreaterThan(0.3)
  })
})

describe('random walk over many steps', () => {
  const d = 100
  const distance = (a: Float32Array, b: Float32Array): number => norm(a.map((v, i) => v - (b[i] as number)))
  const radius = (v: Float32Array, centre: number): number => norm(v.map((x) => x - centre))

  it('stays in [low, high] for uniform noise, spread through the box rather than piled at its walls', () => {
    for (const range of [
      { low: -1, high: 1 },
      { low: 0, high: 3 }
    ]) {
      const uniform = { kind: 'uniform', ...range } as const
      for (const stepSize of [0.15, 2]) {
        const frames = randomWalk(noiseForSeed(4, 0, d, uniform), 600, stepSize, uniform, 8)
        expect(frames.every((f) => f.every((v) => v >= range.low && v <= range.high))).toBe(true)
        // A uniform z has |z − centre| ≈ half-width · √(d/3); the walk keeps that on average.
        const centre = (range.low + range.high) / 2
        const typical = ((range.high - range.low) / 2) * Math.sqrt(d / 3)
        const late = frames.slice(300).map((f) => radius(f, centre) / typical)
        const meanRatio = late.reduce((s, r) => s + r, 0) / late.length
        expect(meanRatio).toBeGreaterThan(0.9)
        expect(meanRatio).toBeLessThan(1.1)
      }
    }
  })

  it('stays on the typical shell |z − mean| = std·√d for normal noise, however long it walks', () => {
    for (const normal of [
      { kind: 'normal', mean: 0, std: 1 },
      { kind: 'normal', mean: 0.5, std: 0.2 }
    ] as const) {
      const shell = normal.std * Math.sqrt(d)
      const start = noiseForSeed(2, 0, d, normal)
      const stepSize = 0.15 * normal.std
      const frames = randomWalk(start, 600, stepSize, normal, 5)
      expect(frames).toHaveLength(601)
      expect(maxAbsDiff(frames[0] as Float32Array, start)).toBe(0)
      for (const f of frames.slice(1)) expect(Math.abs(radius(f, normal.mean) - shell)).toBeLessThan(shell * 0.02)
      // Each step is at most stepSize·√d long and really moves; the walk wanders far from where it started.
      for (let i = 1; i < frames.length; i++) {
        const step = distance(frames[i] as Float32Array, frames[i - 1] as Float32Array)
        expect(step).toBeLessThanOrEqual(stepSize * Math.sqrt(d) * 1.001)
        expect(step).toBeGreaterThan(stepSize * Math.sqrt(d) * 0.5)
      }
      expect(distance(frames[0] as Float32Array, frames[600] as Float32Array)).toBeGreaterThan(shell)
    }
  })

  it('brings a normal-noise start off the shell onto it in steps no longer than stepSize·√d', () => {
    const normal = { kind: 'normal', mean: 0, std: 1 } as const
    const shell = Math.sqrt(d)
    // The mean of three samples (as arithmetic makes) sits well inside the shell; a scaled-up z outside it.
    const inside = meanVector([1, 2, 3].map((i) => noiseForSeed(i, 0, d, normal)))
    const outside = noiseForSeed(9, 0, d, normal).map((v) => 1.6 * v)
    for (const start of [inside, outside]) {
      const frames = randomWalk(start, 40, 0.15, normal, 1)
      const off = Math.abs(norm(start) - shell)
      expect(off).toBeGreaterThan(3)
      const reached = Math.ceil(off / (0.15 * Math.sqrt(d)))
      for (let i = 1; i < frames.length; i++) {
        expect(distance(frames[i] as Float32Array, frames[i - 1] as Float32Array)).toBeLessThanOrEqual(0.15 * Math.sqrt(d) * 1.001)
        if (i >= reached) expect(Math.abs(norm(frames[i] as Float32Array) - shell)).toBeLessThan(0.02 * shell)
      }
    }
  })
})
