/**
 * Screen-space picking of camera-facing squares (billboards), pure maths so it can be tested in Node and
 * used by the e2e tests' reasoning: a point is hit when the click falls inside its square as drawn, and the
 * nearest such point wins — exactly what the eye sees, which a ray against the centre points would not give.
 */

export interface ScreenPoint {
  /** CSS pixels from the left and top of the view. */
  x: number
  y: number
  /** Clip-space w: the distance along the view direction (larger is farther). */
  w: number
}

/**
 * Where a world point lands on the view: `viewProjection` is a column-major 4×4 matrix (three's
 * `Matrix4.elements` of projection × view). Null when the point is behind the camera.
 */
export function projectToScreen(x: number, y: number, z: number, viewProjection: ArrayLike<number>, width: number, height: number): ScreenPoint | null {
  const m = viewProjection
  const cx = (m[0] ?? 0) * x + (m[4] ?? 0) * y + (m[8] ?? 0) * z + (m[12] ?? 0)
  const cy = (m[1] ?? 0) * x + (m[5] ?? 0) * y + (m[9] ?? 0) * z + (m[13] ?? 0)
  const cw = (m[3] ?? 0) * x + (m[7] ?? 0) * y + (m[11] ?? 0) * z + (m[15] ?? 0)
  if (cw <= 1e-6) return null
  return { x: ((cx / cw + 1) / 2) * width, y: ((1 - cy / cw) / 2) * height, w: cw }
}

export interface BillboardView {
  viewProjection: ArrayLike<number>
  width: number
  height: number
  /**
   * Element [5] of the projection matrix (1 / tan(fov / 2)): with it, a billboard of half-size s at depth w
   * covers s × focal / w × height / 2 pixels each way from its centre.
   */
  focal: number
}

/**
 * The index of the billboard under the pixel (px, py), or null. `points` holds count × 3 coordinates;
 * `halfSize(i)` is point i's half-size in world units (the selected one is drawn larger). `inFront` names a
 * point drawn over all others (the selected one), which therefore wins wherever it is hit.
 */
export function pickBillboard(
  points: Float32Array,
  view: BillboardView,
  px: number,
  py: number,
  halfSize: (index: number) => number,
  inFront: number | null = null
): number | null {
  const count = Math.floor(points.length / 3)
  const hits = (i: number): ScreenPoint | null => {
    const p = projectToScreen(points[i * 3] ?? 0, points[i * 3 + 1] ?? 0, points[i * 3 + 2] ?? 0, view.viewProjection, view.width, view.height)
    if (!p) return null
    const half = ((halfSize(i) * view.focal) / p.w) * (view.height / 2)
    return Math.abs(px - p.x) <= half && Math.abs(py - p.y) <= half ? p : null
  }
  if (inFront !== null && inFront >= 0 && inFront < count && hits(inFront)) return inFront
  let best: number | null = null
  let bestW = Infinity
  for (let i = 0; i < count; i++) {
    const p = hits(i)
    if (p && p.w < bestW) {
      best = i
      bestW = p.w
    }
  }
  return best
}
