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

/** A press and release this close together (in pixels) is a click, not a drag. */
export function isClick(downX: number, downY: number, upX: number, upY: number, tolerance = 4): boolean {
  return Math.hypot(upX - downX, upY - downY) <= tolerance
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
