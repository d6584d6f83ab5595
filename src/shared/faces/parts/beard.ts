import { faceOutline, project, unproject } from '../geometry'
import type { FacePainter } from '../painter'
import { mix, scale } from '../palette'
import { type Point, polygon, quadratic, stroke, where } from '../shapes'

/**
 * Facial hair of a masculine face: stubble (a dark shadow over the jaw), a full beard, or a moustache; some
 * masculine faces are clean-shaven and rely on short hair, jaw and brows.
 */
export function paintBeard(p: FacePainter): void {
  const { head, spec, colours } = p
  if (spec.beard === 0) return
  const half = spec.mouth.width / 2
  if (spec.beard === 3) {
    const v = spec.mouth.y
    const line = quadratic(project(head, -half * 1.05, v - 0.01), project(head, 0, v - 0.13, 0.05), project(head, half * 1.05, v - 0.01), 8)
    p.onHead(stroke(line, 0.09 * head.ry), scale(colours.hair, 0.9))
    return
  }
  // Below a line from the sideburns across the cheeks to just under the nose, inside a slightly enlarged jaw.
  const top = (x: number): number => {
    const a = Math.abs(unproject(head, x))
    const moustache = spec.mouth.y - 0.14
    const v = a > 0.45 ? 0.38 + (0.06 - 0.38) * Math.min(1, (a - 0.45) / 0.5) : moustache + (0.38 - moustache) * (a / 0.45) ** 2
    return head.cy + head.ry * v
  }
  const grown: Point[] = faceOutline(spec, head).map(([x, y]) => [
    head.cx + (x - head.cx) * 1.04,
    head.cy - 0.2 * head.ry + (y - head.cy + 0.2 * head.ry) * 1.06
  ])
  const region = where(polygon(grown), (x, y) => y > top(x))
  if (spec.beard === 1) p.onHead(region, mix(colours.hair, [36, 30, 28], 0.55), 0.28)
  else p.onHead(region, scale(colours.hair, 0.92))
}
