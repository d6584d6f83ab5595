/**
 * Shapes as coverage functions over image coordinates (fractions of the image, y down). The canvas asks a
 * shape for its coverage (0…1) only inside its bounding box, at every supersample; hard shapes answer 0 or 1
 * and are anti-aliased by the supersampling, soft ones (shading, stubble) answer in between.
 */

export interface Box {
  x0: number
  y0: number
  x1: number
  y1: number
}

export interface Shape {
  readonly box: Box
  coverage(x: number, y: number): number
}

export type Point = readonly [number, number]

export function ellipse(cx: number, cy: number, rx: number, ry: number): Shape {
  return superellipse(cx, cy, rx, ry, 2)
}

/** |dx/rx|^p + |dy/ry|^p ≤ 1: an ellipse at p = 2, a rounded rectangle as p grows (glasses frames). */
export function superellipse(cx: number, cy: number, rx: number, ry: number, p: number): Shape {
  const box = { x0: cx - rx, y0: cy - ry, x1: cx + rx, y1: cy + ry }
  if (p === 2) {
    return { box, coverage: (x, y) => (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1 ? 1 : 0) }
  }
  return { box, coverage: (x, y) => (Math.abs((x - cx) / rx) ** p + Math.abs((y - cy) / ry) ** p <= 1 ? 1 : 0) }
}

/** A soft blob: full coverage at the centre falling smoothly to 0 at the ellipse's edge. */
export function softEllipse(cx: number, cy: number, rx: number, ry: number): Shape {
  return {
    box: { x0: cx - rx, y0: cy - ry, x1: cx + rx, y1: cy + ry },
    coverage: (x, y) => {
      const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2
      return d >= 1 ? 0 : (1 - d) * (1 - d)
    }
  }
}

/**
 * A closed polygon (even–odd rule). Its edges are sorted into horizontal bands once, so a sample only tests
 * the few edges that cross its band: the face and hair outlines have dozens of edges and cover many samples.
 */
export function polygon(points: readonly Point[]): Shape {
  const xs = points.map((p) => p[0])
  const ys = points.map((p) => p[1])
  const box = { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) }
  const bandCount = Math.max(1, Math.min(64, points.length))
  const bandHeight = (box.y1 - box.y0) / bandCount || 1
  const bands: number[][] = Array.from({ length: bandCount }, () => [])
  const edges = new Float64Array(points.length * 4)
  points.forEach((a, i) => {
    const b = points[(i + 1) % points.length] as Point
    edges.set([a[0], a[1], b[0], b[1]], i * 4)
    const first = Math.max(0, Math.floor((Math.min(a[1], b[1]) - box.y0) / bandHeight))
    const last = Math.min(bandCount - 1, Math.floor((Math.max(a[1], b[1]) - box.y0) / bandHeight))
    for (let band = first; band <= last; band++) bands[band]?.push(i * 4)
  })
  return {
    box,
    coverage: (x, y) => {
      const band = bands[Math.min(bandCount - 1, Math.max(0, Math.floor((y - box.y0) / bandHeight)))]
      if (!band) return 0
      let inside = false
      for (const e of band) {
        const xa = edges[e] as number
        const ya = edges[e + 1] as number
        const xb = edges[e + 2] as number
        const yb = edges[e + 3] as number
        if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside
      }
      return inside ? 1 : 0
    }
  }
}

/** A polyline drawn with round ends, `width` wide. */
export function stroke(points: readonly Point[], width: number): Shape {
  const r = width / 2
  const xs = points.map((p) => p[0])
  const ys = points.map((p) => p[1])
  const r2 = r * r
  return {
    box: { x0: Math.min(...xs) - r, y0: Math.min(...ys) - r, x1: Math.max(...xs) + r, y1: Math.max(...ys) + r },
    coverage: (x, y) => {
      for (let i = 0; i + 1 < points.length; i++) {
        if (segmentDistance2(x, y, points[i] as Point, points[i + 1] as Point) <= r2) return 1
      }
      return points.length === 1 && segmentDistance2(x, y, points[0] as Point, points[0] as Point) <= r2 ? 1 : 0
    }
  }
}

function segmentDistance2(x: number, y: number, a: Point, b: Point): number {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const length2 = dx * dx + dy * dy
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / length2))
  const ex = x - (a[0] + t * dx)
  const ey = y - (a[1] + t * dy)
  return ex * ex + ey * ey
}

/** Points along a quadratic Bézier curve from `a` to `b` bent towards `control`. */
export function quadratic(a: Point, control: Point, b: Point, segments = 12): Point[] {
  const points: Point[] = []
  for (let i = 0; i <= segments; i++) {
    const t = i / segments
    const s = 1 - t
    points.push([s * s * a[0] + 2 * s * t * control[0] + t * t * b[0], s * s * a[1] + 2 * s * t * control[1] + t * t * b[1]])
  }
  return points
}

export function union(...shapes: Shape[]): Shape {
  return {
    box: {
      x0: Math.min(...shapes.map((s) => s.box.x0)),
      y0: Math.min(...shapes.map((s) => s.box.y0)),
      x1: Math.max(...shapes.map((s) => s.box.x1)),
      y1: Math.max(...shapes.map((s) => s.box.y1))
    },
    coverage: (x, y) => {
      let best = 0
      for (const shape of shapes) {
        if (!inBox(shape.box, x, y)) continue
        best = Math.max(best, shape.coverage(x, y))
        if (best >= 1) break
      }
      return best
    }
  }
}

/** `shape` where `mask` covers, with the mask's coverage multiplied in. */
export function intersect(shape: Shape, mask: Shape): Shape {
  const box = {
    x0: Math.max(shape.box.x0, mask.box.x0),
    y0: Math.max(shape.box.y0, mask.box.y0),
    x1: Math.min(shape.box.x1, mask.box.x1),
    y1: Math.min(shape.box.y1, mask.box.y1)
  }
  return {
    box,
    coverage: (x, y) => {
      const c = shape.coverage(x, y)
      return c > 0 && inBox(mask.box, x, y) ? c * mask.coverage(x, y) : 0
    }
  }
}

/** `shape` less whatever `hole` covers. */
export function subtract(shape: Shape, hole: Shape): Shape {
  return {
    box: shape.box,
    coverage: (x, y) => {
      const c = shape.coverage(x, y)
      return c > 0 && inBox(hole.box, x, y) ? c * (1 - hole.coverage(x, y)) : c
    }
  }
}

/** A shape limited to the region where `test(x, y)` holds (half-planes, bands). */
export function where(shape: Shape, test: (x: number, y: number) => boolean): Shape {
  return { box: shape.box, coverage: (x, y) => (test(x, y) ? shape.coverage(x, y) : 0) }
}

/** The shape turned by `angle` radians (clockwise on screen, y being down) about (cx, cy). */
export function rotate(shape: Shape, cx: number, cy: number, angle: number): Shape {
  if (angle === 0) return shape
  const c = Math.cos(angle)
  const s = Math.sin(angle)
  const { x0, y0, x1, y1 } = shape.box
  const corners: Point[] = [
    [x0, y0],
    [x1, y0],
    [x0, y1],
    [x1, y1]
  ].map(([x, y]) => [cx + c * ((x as number) - cx) - s * ((y as number) - cy), cy + s * ((x as number) - cx) + c * ((y as number) - cy)])
  return {
    box: {
      x0: Math.min(...corners.map((p) => p[0])),
      y0: Math.min(...corners.map((p) => p[1])),
      x1: Math.max(...corners.map((p) => p[0])),
      y1: Math.max(...corners.map((p) => p[1]))
    },
    // Inverse rotation of the sample point into the shape's own frame.
    coverage: (x, y) => {
      const dx = x - cx
      const dy = y - cy
      const sx = cx + c * dx + s * dy
      const sy = cy - s * dx + c * dy
      return inBox(shape.box, sx, sy) ? shape.coverage(sx, sy) : 0
    }
  }
}

export function inBox(box: Box, x: number, y: number): boolean {
  return x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1
}
