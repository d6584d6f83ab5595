import { describe, expect, it } from 'vitest'
import { normalizePoints, pathSegments, thumbnailHalfSize, walkPaths } from './point-cloud'

describe('normalizePoints', () => {
  it('centres the cloud and scales it to the unit sphere whatever the projection’s scale', () => {
    const small = new Float32Array(300).map((_, i) => 10 + Math.sin(i * 1.7) * 0.01)
    const large = new Float32Array(300).map((_, i) => Math.sin(i * 1.7) * 500)
    for (const points of [small, large]) {
      const out = normalizePoints(points)
      const radii = Array.from({ length: 100 }, (_, i) => Math.hypot(out[i * 3]!, out[i * 3 + 1]!, out[i * 3 + 2]!))
      expect(Math.max(...radii)).toBeGreaterThan(0.9)
      expect(radii.filter((r) => r <= 1 + 1e-6).length).toBeGreaterThanOrEqual(95)
      for (let axis = 0; axis < 3; axis++) {
        let sum = 0
        for (let i = axis; i < out.length; i += 3) sum += out[i]!
        expect(Math.abs(sum / 100)).toBeLessThan(1e-5)
      }
    }
  })

  it('keeps one far outlier from shrinking everyone else', () => {
    const points = new Float32Array(300)
    for (let i = 0; i < 99; i++) points.set([Math.cos(i), Math.sin(i), 0], i * 3)
    points.set([1000, 0, 0], 99 * 3)
    const out = normalizePoints(points)
    expect(Math.hypot(out[3]!, out[4]!)).toBeGreaterThan(0.5)
  })

  it('survives degenerate input: all points equal, non-finite values, no points', () => {
    expect(Array.from(normalizePoints(new Float32Array([2, 2, 2, 2, 2, 2])))).toEqual([0, 0, 0, 0, 0, 0])
    const out = normalizePoints(new Float32Array([NaN, 1, 0, Infinity, -1, 0]))
    expect(out.every(Number.isFinite)).toBe(true)
    expect(normalizePoints(new Float32Array(0)).length).toBe(0)
  })
})

describe('thumbnailHalfSize', () => {
  it('shrinks thumbnails as the map fills, within limits', () => {
    expect(thumbnailHalfSize(300)).toBeLessThan(thumbnailHalfSize(50))
    expect(thumbnailHalfSize(3)).toBeLessThanOrEqual(0.12)
    expect(thumbnailHalfSize(1000)).toBeGreaterThanOrEqual(0.03)
  })
})

describe('pathSegments', () => {
  const points = new Float32Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1])

  it('turns each walk into consecutive segments between its points', () => {
    const segments = pathSegments(points, [
      [0, 1, 2],
      [3, 0]
    ])
    expect(Array.from(segments)).toEqual([0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0])
  })

  it('skips indices that are not on the map and draws nothing for a single point', () => {
    expect(Array.from(pathSegments(points, [[0, 99, -1, 1.5, 2]]))).toEqual([0, 0, 0, 1, 1, 0])
    expect(pathSegments(points, [[1]]).length).toBe(0)
  })
})

describe('walkPaths', () => {
  it('keeps the keyframes that are samples of this map, in walk order', () => {
    const walk = [
      { seed: 4, index: 10 },
      { seed: 7, index: 3 },
      { seed: 4, index: 2 },
      { seed: null, index: 0 },
      { seed: 4, index: 500 }
    ]
    expect(walkPaths([walk], 4, 300)).toEqual([[10, 2]])
    expect(walkPaths([walk], 7, 300)).toEqual([])
  })
})
