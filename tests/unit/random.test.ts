import { describe, expect, it } from 'vitest'
import { Rng, fillNoise, noiseForSeed } from '../../src/shared/latent/random'

describe('seeded noise', () => {
  it('gives the same z for the same seed and sample, and a different one otherwise', () => {
    const spec = { kind: 'uniform', low: -1, high: 1 } as const
    expect(noiseForSeed(7, 0, 100, spec)).toEqual(noiseForSeed(7, 0, 100, spec))
    expect(noiseForSeed(7, 0, 100, spec)).not.toEqual(noiseForSeed(7, 1, 100, spec))
    expect(noiseForSeed(7, 0, 100, spec)).not.toEqual(noiseForSeed(8, 0, 100, spec))
  })

  it('draws from the model noise distribution: uniform within its range with the right mean', () => {
    const z = fillNoise(new Float32Array(100_000), { kind: 'uniform', low: -1, high: 1 }, new Rng(1))
    let min = Infinity
    let max = -Infinity
    let sum = 0
    for (const v of z) {
      min = Math.min(min, v)
      max = Math.max(max, v)
      sum += v
    }
    expect(min).toBeGreaterThanOrEqual(-1)
    expect(max).toBeLessThan(1)
    expect(min).toBeLessThan(-0.99)
    expect(max).toBeGreaterThan(0.99)
    expect(Math.abs(sum / z.length)).toBeLessThan(0.01)
  })

  it('draws normals with the requested mean and std', () => {
    const z = fillNoise(new Float32Array(100_000), { kind: 'normal', mean: 2, std: 0.5 }, new Rng(3))
    const mean = z.reduce((a, b) => a + b, 0) / z.length
    const std = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length)
    expect(mean).toBeCloseTo(2, 1)
    expect(std).toBeCloseTo(0.5, 1)
  })

  it('resumes a stream exactly from its saved state', () => {
    const rng = new Rng(99)
    rng.next()
    const saved = rng.state()
    const a = [rng.next(), rng.next()]
    const resumed = new Rng(saved)
    expect([resumed.next(), resumed.next()]).toEqual(a)
  })
})
