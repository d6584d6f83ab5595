import { describe, expect, it } from 'vitest'
import { keyframePath } from '../../../shared/latent/interpolate'
import { noiseForSeed } from '../../../shared/latent/random'
import { frameT, scrubLabel, segmentGeometry, walkFrameCount } from './walk-geometry'

describe('walk numbers', () => {
  it('counts frames and places them as keyframePath does, open and looped', () => {
    const keys = [new Float32Array([1, 0]), new Float32Array([0, 1]), new Float32Array([-1, 0])]
    for (const loop of [false, true]) {
      for (const steps of [1, 8]) {
        const path = keyframePath(keys, { mode: 'slerp', stepsPerSegment: steps, loop, easing: 'linear' })
        expect(walkFrameCount(3, steps, loop)).toBe(path.length)
        path.forEach((frame, i) => expect(frameT(i, 3, steps, loop)).toBeCloseTo(frame.t, 10))
      }
    }
    expect(walkFrameCount(1, 8, false)).toBe(0)
    expect(scrubLabel(4, walkFrameCount(2, 8, false), frameT(4, 2, 8, false))).toBe('frame 5 / 9, t = 0.50')
  })

  it('for two independent 100-dimensional z: nearly orthogonal, nearly equal lengths; lerp dips to about 1/√2 in the middle, slerp does not', () => {
    for (const noise of [{ kind: 'uniform', low: -1, high: 1 } as const, { kind: 'normal', mean: 0, std: 1 } as const]) {
      const g = segmentGeometry(noiseForSeed(5, 0, 100, noise), noiseForSeed(5, 1, 100, noise))
      expect(Math.abs(g.angle - 90)).toBeLessThan(25)
      expect(Math.abs(g.lengths[0] - g.lengths[1]) / g.lengths[0]).toBeLessThan(0.3)
      expect(g.lerpMidpoint).toBeGreaterThan(0.6)
      expect(g.lerpMidpoint).toBeLessThan(0.82)
      expect(g.slerpMidpoint).toBeCloseTo(1, 1)
    }
    const same = segmentGeometry(new Float32Array([3, 4]), new Float32Array([3, 4]))
    expect(same).toMatchObject({ angle: 0, lerpMidpoint: 1, slerpMidpoint: 1 })
  })
})
