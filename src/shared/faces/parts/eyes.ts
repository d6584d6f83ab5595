import { type EyeLayout, eyeLayouts, project } from '../geometry'
import type { FacePainter } from '../painter'
import type { Rgb } from '../canvas'
import { BLACK, IRIS, SCLERA } from '../palette'
import { ellipse, intersect, quadratic, stroke } from '../shapes'

/** Eyes (white, iris, pupil, lash line), gazing roughly where the head points. */
export function paintEyes(p: FacePainter): EyeLayout[] {
  const { head, spec, colours } = p
  const eyes = eyeLayouts(spec, head)
  const iris = (IRIS[spec.eyes.iris] ?? IRIS[0]) as Rgb
  for (const eye of eyes) {
    if (!eye.visible) continue
    const white = ellipse(eye.x, eye.y, eye.w, eye.h)
    p.onHead(white, SCLERA)
    const ix = eye.x + (spec.eyes.gaze * 0.3 + Math.sin(head.yaw) * 0.4) * eye.w
    p.onHead(intersect(ellipse(ix, eye.y, eye.h * 1.05, eye.h * 1.05), white), iris)
    p.onHead(intersect(ellipse(ix, eye.y, eye.h * 0.45, eye.h * 0.45), white), BLACK)
    const lid = quadratic([eye.x - eye.w * 1.05, eye.y + eye.h * 0.1], [eye.x, eye.y - eye.h * 1.5], [eye.x + eye.w * 1.05, eye.y + eye.h * 0.1], 8)
    p.onHead(stroke(lid, eye.h * (spec.masculine ? 0.45 : 0.6)), colours.lash)
  }
  return eyes
}

/** Brows: heavy, low and straight on masculine faces; thinner, higher and arched on feminine ones. */
export function paintBrows(p: FacePainter): void {
  const { head, spec, colours } = p
  const { lift, weight, tilt } = spec.brows
  for (const eye of eyeLayouts(spec, head)) {
    if (!eye.visible) continue
    const u = eye.side * spec.eyes.spacing
    const v = spec.eyes.y - (spec.masculine ? 0.17 : 0.22) * lift
    const arch = spec.masculine ? 0.015 : 0.06
    const inner = project(head, u - eye.side * 0.15, v + 0.01)
    const middle = project(head, u + eye.side * 0.02, v - arch * 2)
    const outer = project(head, u + eye.side * 0.19, v + 0.03 + tilt)
    const width = head.rx * (spec.masculine ? 0.09 : 0.048) * weight
    p.onHead(stroke(quadratic(inner, middle, outer, 8), width), colours.brow)
  }
}
