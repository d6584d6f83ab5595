import { faceOutline, project, visible } from '../geometry'
import type { FacePainter } from '../painter'
import { BLACK, scale } from '../palette'
import { type Shape, ellipse, intersect, polygon, softEllipse } from '../shapes'

/** The face's skin shape (also the mask for shading and facial hair). */
export function skinShape(p: FacePainter): Shape {
  return polygon(faceOutline(p.spec, p.head))
}

/** Skin, the shading away from the light, and a blush on some faces. */
export function paintSkin(p: FacePainter): void {
  const { head, spec, colours } = p
  const skin = skinShape(p)
  p.onHead(skin, colours.skin)
  const lx = Math.cos(spec.light.angle)
  const ly = Math.sin(spec.light.angle)
  const away: Shape = {
    box: skin.box,
    coverage: (x, y) => {
      const t = -(((x - head.cx) / head.rx) * lx + ((y - head.cy) / head.ry) * ly)
      return Math.max(0, Math.min(1, t))
    }
  }
  p.onHead(intersect(skin, away), BLACK, spec.light.strength)
  if (spec.light.blush > 0) {
    for (const side of [-1, 1]) {
      const [x, y] = project(head, side * 0.5, spec.mouth.y - 0.2)
      p.onHead(intersect(softEllipse(x, y, 0.2 * head.rx, 0.14 * head.ry), skin), [222, 96, 96], spec.light.blush)
    }
  }
}

/** The ears that face the viewer, just outside the cheeks; a turned head shows only the far one. */
export function paintEars(p: FacePainter): void {
  const { head, colours } = p
  for (const side of [-1, 1]) {
    const u = side * 0.985
    if (!visible(head, u)) continue
    const angle = Math.asin(u) + head.yaw
    const [x, y] = project(head, u, 0.06)
    // An ear seen from the front is a narrow sliver; seen from the side it opens up.
    const width = head.rx * (0.09 + 0.1 * (1 - Math.abs(Math.sin(angle))))
    const cx = x + side * 0.06 * head.rx * Math.abs(Math.sin(angle))
    p.onHead(ellipse(cx, y, width, 0.2 * head.ry), scale(colours.skin, 0.96))
    p.onHead(ellipse(cx, y + 0.01 * head.ry, width * 0.5, 0.11 * head.ry), scale(colours.skin, 0.78))
  }
}
