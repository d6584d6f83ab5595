/**
 * Orbit camera maths, kept apart from the DOM and three.js so it can be tested in Node: the camera sits on a
 * sphere around a target, at azimuth `theta` (around +y, 0 looks down −z from +z) and polar angle `phi`
 * (from +y), `radius` away.
 */
export interface Orbit {
  target: readonly [number, number, number]
  radius: number
  theta: number
  phi: number
  minRadius: number
  maxRadius: number
}

// Stop short of the poles: at exactly 0 or π the camera's up vector and view direction coincide.
const PHI_MIN = 0.05
const PHI_MAX = Math.PI - 0.05

export function createOrbit(radius: number, options: Partial<Omit<Orbit, 'radius'>> = {}): Orbit {
  return {
    target: options.target ?? [0, 0, 0],
    theta: options.theta ?? 0,
    phi: clamp(options.phi ?? Math.PI / 2, PHI_MIN, PHI_MAX),
    minRadius: options.minRadius ?? radius / 10,
    maxRadius: options.maxRadius ?? radius * 4,
    radius
  }
}

/** A drag of dx, dy screen pixels on a view `height` pixels tall: a full-height drag turns half a circle. */
export function rotateOrbit(orbit: Orbit, dx: number, dy: number, height: number): Orbit {
  const perPixel = Math.PI / Math.max(1, height)
  return { ...orbit, theta: orbit.theta - dx * perPixel, phi: clamp(orbit.phi - dy * perPixel, PHI_MIN, PHI_MAX) }
}

/**
 * A wheel delta (pixels, as WheelEvent.deltaY in pixel mode): zooms geometrically, so each notch feels the
 * same near and far; positive moves away.
 */
export function zoomOrbit(orbit: Orbit, deltaY: number): Orbit {
  return { ...orbit, radius: clamp(orbit.radius * Math.exp(deltaY * 0.0015), orbit.minRadius, orbit.maxRadius) }
}

export function orbitPosition(orbit: Orbit): [number, number, number] {
  const [tx, ty, tz] = orbit.target
  const ring = orbit.radius * Math.sin(orbit.phi)
  return [tx + ring * Math.sin(orbit.theta), ty + orbit.radius * Math.cos(orbit.phi), tz + ring * Math.cos(orbit.theta)]
}

/**
 * How far a camera with vertical field of view `fovDegrees` must stand from the centre of a box of half
 * extents `half` to see all of it on a view of the given aspect (width / height), with some margin.
 */
export function fitDistance(half: readonly [number, number, number], fovDegrees: number, aspect: number, margin = 1.15): number {
  const tan = Math.tan((fovDegrees * Math.PI) / 360)
  const across = Math.max(half[0] / (tan * Math.max(0.1, aspect)), half[1] / tan)
  return margin * across + half[2]
}

/** The camera's direction from the target (unit), and its right and up vectors (world up is +y). */
function cameraBasis(orbit: Orbit): { d: [number, number, number]; right: [number, number, number]; up: [number, number, number] } {
  const d: [number, number, number] = [Math.sin(orbit.phi) * Math.sin(orbit.theta), Math.cos(orbit.phi), Math.sin(orbit.phi) * Math.cos(orbit.theta)]
  const rl = Math.hypot(d[2], d[0]) || 1
  const right: [number, number, number] = [d[2] / rl, 0, -d[0] / rl]
  const up: [number, number, number] = [d[1] * right[2] - d[2] * right[1], d[2] * right[0] - d[0] * right[2], d[0] * right[1] - d[1] * right[0]]
  return { d, right, up }
}

const dot = (a: readonly number[], b: readonly number[]): number => (a[0] ?? 0) * (b[0] ?? 0) + (a[1] ?? 0) * (b[1] ?? 0) + (a[2] ?? 0) * (b[2] ?? 0)

/**
 * The least radius at which a camera on `orbit` (its target and angles kept) sees every point, with the
 * points inside `fillX` and `fillY` of the view's half width and half height. Exact for a perspective camera
 * with vertical field of view `fovDegrees`: a point's offsets across the view do not change with the radius,
 * only its depth does, so each point needs the radius that puts it at the depth where it just fits. Unlike
 * fitDistance's box, this sees what an oblique view does: the near end of a long stack looks larger.
 */
export function fitRadius(points: ArrayLike<number>, orbit: Orbit, fovDegrees: number, aspect: number, fillX = 0.92, fillY = 0.92): number {
  const tan = Math.tan((fovDegrees * Math.PI) / 360)
  const { d, right, up } = cameraBasis(orbit)
  let radius = 0
  for (let i = 0; i + 2 < points.length; i += 3) {
    const q = [(points[i] as number) - orbit.target[0], (points[i + 1] as number) - orbit.target[1], (points[i + 2] as number) - orbit.target[2]]
    radius = Math.max(radius, dot(q, d) + Math.max(Math.abs(dot(q, right)) / (fillX * tan * Math.max(0.1, aspect)), Math.abs(dot(q, up)) / (fillY * tan)))
  }
  return radius
}

/**
 * An orbit with `orbit`'s angles that frames the points: its target moved so they sit centred in the view
 * (seen obliquely, the near end of a long stack takes more room than the far end), then fitRadius away.
 */
export function frameOrbit(points: ArrayLike<number>, orbit: Orbit, fovDegrees: number, aspect: number, fillX = 0.92, fillY = 0.92): Orbit {
  const tan = Math.tan((fovDegrees * Math.PI) / 360)
  const { d, right, up } = cameraBasis(orbit)
  let target: [number, number, number] = [...orbit.target]
  let radius = fitRadius(points, { ...orbit, target }, fovDegrees, aspect, fillX, fillY)
  // The view's centre moves with the target, and the points' places on screen with the view: a few rounds settle it.
  for (let round = 0; round < 6; round++) {
    let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity]
    for (let i = 0; i + 2 < points.length; i += 3) {
      const q = [(points[i] as number) - target[0], (points[i + 1] as number) - target[1], (points[i + 2] as number) - target[2]]
      const depth = radius - dot(q, d)
      const x = dot(q, right) / (depth * tan * Math.max(0.1, aspect))
      const y = dot(q, up) / (depth * tan)
      ;[minX, maxX, minY, maxY] = [Math.min(minX, x), Math.max(maxX, x), Math.min(minY, y), Math.max(maxY, y)]
    }
    if (!Number.isFinite(minX)) break
    const sx = ((minX + maxX) / 2) * radius * tan * Math.max(0.1, aspect)
    const sy = ((minY + maxY) / 2) * radius * tan
    target = [target[0] + right[0] * sx + up[0] * sy, target[1] + right[1] * sx + up[1] * sy, target[2] + right[2] * sx + up[2] * sy]
    radius = fitRadius(points, { ...orbit, target }, fovDegrees, aspect, fillX, fillY)
  }
  return { ...orbit, target, radius }
}

/** A press and release this close together (in pixels) is a click, not a drag. */
export function isClick(downX: number, downY: number, upX: number, upY: number, tolerance = 4): boolean {
  return Math.hypot(upX - downX, upY - downY) <= tolerance
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
