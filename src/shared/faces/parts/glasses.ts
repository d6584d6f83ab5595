import { eyeLayouts, project } from '../geometry'
import type { FacePainter } from '../painter'
import type { Rgb } from '../canvas'
import { FRAMES, WHITE } from '../palette'
import { type Point, quadratic, stroke, subtract, superellipse } from '../shapes'

/**
 * Glasses: a dark frame around each eye (thick enough to survive 32 px: about a pixel there), a bridge, the
 * arms towards the ears, and a lens that slightly brightens (or, for sunglasses, darkens) what is behind it.
 */
export function paintGlasses(p: FacePainter): void {
  const { head, spec } = p
  const g = spec.glassesStyle
  const frame = (FRAMES[g.frame] ?? FRAMES[0]) as Rgb
  const t = head.rx * g.thickness
  const lenses = eyeLayouts(spec, head).map((eye) => ({
    eye,
    x: eye.x,
    y: eye.y - 0.15 * eye.h,
    w: eye.w * 1.75 * g.lensWidth,
    h: eye.h * 2.6 * g.lensHeight
  }))
  for (const lens of lenses) {
    if (!lens.eye.visible) continue
    const glass = superellipse(lens.x, lens.y, lens.w, lens.h, g.roundness)
    if (g.sunglasses) p.onHead(glass, [22, 22, 28], 0.85)
    else p.onHead(glass, WHITE, 0.2)
    const rim = subtract(
      superellipse(lens.x, lens.y, lens.w + t / 2, lens.h + t / 2, g.roundness),
      superellipse(lens.x, lens.y, lens.w - t / 2, lens.h - t / 2, g.roundness)
    )
    p.onHead(rim, frame)
    // An arm runs back to the ear on each side whose ear shows.
    const side = lens.eye.side
    const ear = project(head, side * 0.96, spec.eyes.y - 0.02)
    const start: Point = [lens.x + side * lens.w, lens.y - lens.h * 0.35]
    if (Math.sign(ear[0] - start[0]) === side) p.onHead(stroke([start, ear], t * 0.8), frame)
  }
  const [left, right] = lenses
  if (left && right) {
    const a: Point = [left.x + left.w, left.y - left.h * 0.3]
    const b: Point = [right.x - right.w, right.y - right.h * 0.3]
    p.onHead(stroke(quadratic(a, [(a[0] + b[0]) / 2, Math.min(a[1], b[1]) - left.h * 0.25], b, 6), t), frame)
  }
}
