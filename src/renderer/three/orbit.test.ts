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

describe('fitRadius', () => {
  it('puts every point inside the view, the outermost one exactly at the edge asked for, as three.js projects them', async () => {
    const { PerspectiveCamera, Vector3 } = await import('three')
    const { fitRadius } = await import('./orbit')
    // A long, oblique stack like the layer view: its near end looks larger than its far end.
    const points = [-7, -0.3, 0.4, -6.5, 0.3, 0.2, 0, 1, 0, 6.2, -1.1, 1.2, 7, 1.1, -0.8, 3, -0.5, 0.1]
    for (const [theta, phi, aspect] of [
      [0.35, 1.35, 2],
      [-0.8, 1.0, 1.3],
      [0, Math.PI / 2, 0.8]
    ] as const) {
      const orbit = createOrbit(1, { theta, phi })
      const radius = fitRadius(points, orbit, 45, aspect, 0.9, 0.8)
      const ndc = (r: number) => {
        const camera = new PerspectiveCamera(45, aspect, 0.01, 1000)
        camera.position.set(...orbitPosition({ ...orbit, radius: r }))
        camera.lookAt(0, 0, 0)
        camera.updateMatrixWorld()
        const out: [number, number][] = []
        for (let i = 0; i < points.length; i += 3) {
          const p = new Vector3(points[i], points[i + 1], points[i + 2]).project(camera)
          out.push([Math.abs(p.x) / 0.9, Math.abs(p.y) / 0.8])
        }
        return Math.max(...out.flat())
      }
      expect(ndc(radius)).toBeCloseTo(1, 5)
      expect(ndc(radius * 0.97)).toBeGreaterThan(1)
    }
  })

  it('frameOrbit centres what it frames: the projected points are as far from the left edge as from the right', async () => {
    const { PerspectiveCamera, Vector3 } = await import('three')
    const { frameOrbit } = await import('./orbit')
    const points = [-7, -0.3, 0.4, -6.5, 0.3, 0.2, 0, 1, 0, 6.2, -1.1, 1.2, 7, 1.1, -0.8, 3, -0.5, 0.1]
    const framed = frameOrbit(points, createOrbit(1, { theta: 0.35, phi: 1.35 }), 45, 2, 0.9, 0.8)
    const camera = new PerspectiveCamera(45, 2, 0.01, 1000)
    camera.position.set(...orbitPosition(framed))
    camera.lookAt(...framed.target)
    camera.updateMatrixWorld()
    const xs: number[] = []
    const ys: number[] = []
    for (let i = 0; i < points.length; i += 3) {
      const p = new Vector3(points[i], points[i + 1], points[i + 2]).project(camera)
      xs.push(p.x)
      ys.push(p.y)
    }
    expect(Math.min(...xs) + Math.max(...xs)).toBeCloseTo(0, 2)
    expect(Math.min(...ys) + Math.max(...ys)).toBeCloseTo(0, 2)
    expect(Math.max(...xs.map(Math.abs)) / 0.9).toBeLessThanOrEqual(1 + 1e-6)
    expect(Math.max(Math.max(...xs.map(Math.abs)) / 0.9, Math.max(...ys.map(Math.abs)) / 0.8)).toBeCloseTo(1, 3)
  })
})
