import { describe, expect, it } from 'vitest'
import { createOrbit, fitDistance, isClick, orbitPosition, rotateOrbit, zoomOrbit } from './orbit'

describe('orbit camera', () => {
  it('starts on +z looking at the target, radius away', () => {
    const [x, y, z] = orbitPosition(createOrbit(3))
    expect(x).toBeCloseTo(0)
    expect(y).toBeCloseTo(0)
    expect(z).toBeCloseTo(3)
  })

  it('turns half a circle for a drag across the full height, and stays at the same distance', () => {
    const turned = rotateOrbit(createOrbit(2, { target: [1, 1, 1] }), -400, 0, 400)
    const [x, y, z] = orbitPosition(turned)
    expect(x).toBeCloseTo(1)
    expect(y).toBeCloseTo(1)
    expect(z).toBeCloseTo(-1)
    expect(Math.hypot(x - 1, y - 1, z - 1)).toBeCloseTo(2)
  })

  it('never goes over the poles, where the view would flip', () => {
    const up = rotateOrbit(createOrbit(1), 0, 10_000, 100)
    const down = rotateOrbit(createOrbit(1), 0, -10_000, 100)
    expect(up.phi).toBeGreaterThan(0)
    expect(down.phi).toBeLessThan(Math.PI)
  })

  it('zooms geometrically within its limits: in and out again returns to the start', () => {
    const start = createOrbit(3, { minRadius: 1, maxRadius: 10 })
    expect(zoomOrbit(zoomOrbit(start, -100), 100).radius).toBeCloseTo(3)
    expect(zoomOrbit(start, -1e6).radius).toBe(1)
    expect(zoomOrbit(start, 1e6).radius).toBe(10)
  })

  it('stands back far enough to see a whole box, whichever side limits', () => {
    // 90° vertical field: a box 1 high is seen whole from 1 away (plus margin and depth).
    expect(fitDistance([0.5, 1, 0], 90, 1, 1)).toBeCloseTo(1)
    expect(fitDistance([4, 1, 0], 90, 2, 1)).toBeCloseTo(2)
    expect(fitDistance([4, 1, 0.5], 90, 2, 1.1)).toBeCloseTo(2.7)
  })

  it('tells a click from a drag by how far the pointer moved', () => {
    expect(isClick(10, 10, 12, 13)).toBe(true)
    expect(isClick(10, 10, 20, 10)).toBe(false)
  })
})
