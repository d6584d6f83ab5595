import type { FacePainter } from '../painter'
import { hsv, scale } from '../palette'
import { ellipse, polygon, subtract, superellipse } from '../shapes'

/** Where the neck is: shared with the long hair, which leaves a gap for it. */
export function neckOf(p: FacePainter): { x: number; half: number; top: number } {
  const { head, spec } = p
  return {
    x: head.cx + 0.12 * head.rx * Math.sin(head.yaw),
    half: head.rx * (spec.masculine ? 0.38 : 0.31) * spec.body.width,
    top: head.cy + 0.4 * head.ry
  }
}

/** Neck and shoulders in clothes (they do not tilt with the head). */
export function paintBody(p: FacePainter): void {
  const { head, spec, colours } = p
  const neck = neckOf(p)
  p.upright(
    polygon([
      [neck.x - neck.half, neck.top],
      [neck.x + neck.half, neck.top],
      [neck.x + neck.half * 1.1, 1.05],
      [neck.x - neck.half * 1.1, 1.05]
    ]),
    scale(colours.skin, 0.86)
  )
  const chin = head.cy + head.ry
  const shoulderTop = chin + 0.07 + 0.03 * spec.body.width
  const halfWidth = head.rx * (spec.masculine ? 2.3 : 2.0) * spec.body.width
  const shoulders = superellipse(head.cx, shoulderTop + 0.24, halfWidth, 0.24, 3)
  const [h, s, v] = spec.body.clothes
  const neckline =
    spec.body.neckline < 0.5
      ? ellipse(neck.x, shoulderTop, neck.half * 0.85, 0.03 + 0.05 * spec.body.neckline)
      : polygon([
          [neck.x - neck.half * 0.85, shoulderTop - 0.02],
          [neck.x + neck.half * 0.85, shoulderTop - 0.02],
          [neck.x, shoulderTop + 0.04 + 0.08 * (spec.body.neckline - 0.5)]
        ])
  p.upright(subtract(shoulders, neckline), hsv(h, s, v))
}
