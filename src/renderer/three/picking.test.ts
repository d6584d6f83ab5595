import { Matrix4, PerspectiveCamera, Vector3 } from 'three'
import { describe, expect, it } from 'vitest'
import { type BillboardView, pickBillboard, projectToScreen } from './picking'

function viewOf(camera: PerspectiveCamera, width: number, height: number): BillboardView {
  camera.aspect = width / height
  camera.updateProjectionMatrix()
  camera.updateMatrixWorld()
  const viewProjection = new Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse).elements
  return { viewProjection, width, height, focal: camera.projectionMatrix.elements[5] }
}

describe('projectToScreen', () => {
  it('agrees with three.js’s own projection', () => {
    const camera = new PerspectiveCamera(45, 1, 0.01, 100)
    camera.position.set(1.5, 0.8, 2.5)
    camera.lookAt(0, 0, 0)
    const view = viewOf(camera, 640, 480)
    for (const [x, y, z] of [
      [0, 0, 0],
      [0.5, -0.3, 0.2],
      [-0.9, 0.9, -0.9]
    ] as const) {
      const ndc = new Vector3(x, y, z).project(camera)
      const p = projectToScreen(x, y, z, view.viewProjection, 640, 480)!
      expect(p.x).toBeCloseTo(((ndc.x + 1) / 2) * 640, 3)
      expect(p.y).toBeCloseTo(((1 - ndc.y) / 2) * 480, 3)
    }
  })

  it('puts the target in the middle of the view and says nothing for points behind the camera', () => {
    const camera = new PerspectiveCamera(45, 1, 0.01, 100)
    camera.position.set(0, 0, 3)
    camera.lookAt(0, 0, 0)
    const view = viewOf(camera, 400, 300)
    const centre = projectToScreen(0, 0, 0, view.viewProjection, 400, 300)!
    expect(centre.x).toBeCloseTo(200)
    expect(centre.y).toBeCloseTo(150)
    expect(centre.w).toBeCloseTo(3)
    expect(projectToScreen(0, 0, 5, view.viewProjection, 400, 300)).toBeNull()
  })
})

describe('pickBillboard', () => {
  const camera = new PerspectiveCamera(45, 1, 0.01, 100)
  camera.position.set(0, 0, 3)
  camera.lookAt(0, 0, 0)
  const view = viewOf(camera, 400, 400)
  // Point 0 in front of point 1 (both on the axis), point 2 off to the right.
  const points = new Float32Array([0, 0, 1, 0, 0, 0, 0.8, 0, 0])

  it('picks the nearest billboard under the pointer', () => {
    expect(pickBillboard(points, view, 200, 200, () => 0.05)).toBe(0)
    const right = projectToScreen(0.8, 0, 0, view.viewProjection, 400, 400)!
    expect(pickBillboard(points, view, right.x + 3, right.y - 3, () => 0.05)).toBe(2)
  })

  it('hits within the drawn square and misses just outside it', () => {
    // Half-size 0.1 at distance 3: 0.1 × focal / 3 × 200 pixels.
    const half = ((0.1 * view.focal) / 3) * 200
    const only = new Float32Array([0, 0, 0])
    expect(pickBillboard(only, view, 200 + half - 0.5, 200 - half + 0.5, () => 0.1)).toBe(0)
    expect(pickBillboard(only, view, 200 + half + 1, 200, () => 0.1)).toBeNull()
  })

  it('lets the selected sample, drawn in front of all, win where it is hit', () => {
    expect(pickBillboard(points, view, 200, 200, () => 0.05, 1)).toBe(1)
    expect(pickBillboard(points, view, 10, 10, () => 0.05, 1)).toBeNull()
  })
})
