/**
 * Placing a cloud of samples in the view, independent of how the projection (PCA of z or of D's features)
 * happened to scale it: the map always fills the same space, so camera distance and thumbnail size work
 * for every run.
 */

/**
 * Centres `points` (count × 3) on their mean and scales them so 95% lie within the unit sphere; a few
 * outliers then stay outliers instead of shrinking everyone else. Non-finite coordinates become 0 and take
 * no part in the statistics. Returns a new array.
 */
export function normalizePoints(points: Float32Array): Float32Array {
  const count = Math.floor(points.length / 3)
  const out = new Float32Array(count * 3)
  const mean = [0, 0, 0]
  const finite = new Array<number>(3).fill(0)
  for (let i = 0; i < count * 3; i++) {
    const v = points[i] ?? 0
    if (Number.isFinite(v)) {
      mean[i % 3]! += v
      finite[i % 3]!++
    }
  }
  for (let axis = 0; axis < 3; axis++) mean[axis] = finite[axis] ? mean[axis]! / finite[axis]! : 0
  for (let i = 0; i < count * 3; i++) {
    const v = points[i] ?? 0
    out[i] = Number.isFinite(v) ? v - mean[i % 3]! : 0
  }
  const radii = Array.from({ length: count }, (_, i) => Math.hypot(out[i * 3]!, out[i * 3 + 1]!, out[i * 3 + 2]!)).sort((a, b) => a - b)
  const reach = radii[Math.min(count - 1, Math.floor(count * 0.95))] ?? 0
  // All points in one place (or one point): nothing to scale, leave them at the centre.
  if (reach > 1e-9) for (let i = 0; i < out.length; i++) out[i] = out[i]! / reach
  return out
}

/**
 * World half-size of each thumbnail for `count` samples in the unit sphere: large enough to recognise, small
 * enough that a few hundred do not hide each other completely.
 */
export function thumbnailHalfSize(count: number): number {
  return Math.min(0.12, Math.max(0.03, 1 / Math.sqrt(Math.max(1, count))))
}

/**
 * Line segments (pairs of endpoints, × 3 coordinates) for polylines through point indices: one draw call
 * for every walk. Indices that are not points of the map are skipped, joining their neighbours.
 */
export function pathSegments(points: Float32Array, paths: readonly (readonly number[])[]): Float32Array {
  const count = Math.floor(points.length / 3)
  const segments: number[] = []
  for (const path of paths) {
    const valid = path.filter((i) => Number.isInteger(i) && i >= 0 && i < count)
    for (let k = 1; k < valid.length; k++) {
      const a = valid[k - 1]!
      const b = valid[k]!
      segments.push(points[a * 3]!, points[a * 3 + 1]!, points[a * 3 + 2]!, points[b * 3]!, points[b * 3 + 1]!, points[b * 3 + 2]!)
    }
  }
  return new Float32Array(segments)
}

/**
 * Paths through a map for walks whose keyframes name samples by seed: a keyframe is on the map when it has
 * the map's seed and an index below its sample count. Keyframes elsewhere are left out of the path.
 */
export function walkPaths(walks: readonly (readonly { seed: number | null; index: number }[])[], mapSeed: number, count: number): number[][] {
  return walks.map((walk) => walk.filter((k) => k.seed === mapSeed && k.index >= 0 && k.index < count).map((k) => k.index)).filter((path) => path.length >= 2)
}
