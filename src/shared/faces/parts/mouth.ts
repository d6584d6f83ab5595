import { mouthLayout } from '../geometry'
import type { FacePainter } from '../painter'
import { MOUTH_INSIDE, TEETH, scale } from '../palette'
import { type Point, intersect, polygon, quadratic, stroke } from '../shapes'

/**
 * The mouth. A smile is an open grin: corners raised, a curved lower lip and a band of teeth, which stays
 * readable at 32 px where a closed smile is a pixel of curvature. A neutral mouth is closed and flat.
 */
export function paintMouth(p: FacePainter): void {
  if (p.spec.smiling) paintSmile(p)
  else paintNeutral(p)
}

function paintNeutral(p: FacePainter): void {
  const { spec, colours } = p
  const { left, right, centre, unit } = mouthLayout(spec, p.head)
  const mid: Point = [centre[0], centre[1] + spec.mouth.neutralCurve * unit]
  const line = quadratic(left, [mid[0], 2 * mid[1] - (left[1] + right[1]) / 2], right, 10)
  const upper = quadratic(left, [mid[0], mid[1] - 0.1 * unit], right, 10)
  const lower = quadratic(right, [mid[0], mid[1] + 0.16 * unit], left, 10)
  p.onHead(polygon([...upper, ...lower]), colours.lip)
  p.onHead(stroke(line, 0.035 * unit), scale(colours.lip, 0.5))
}

function paintSmile(p: FacePainter): void {
  const { spec, colours } = p
  const { left, right, centre, unit } = mouthLayout(spec, p.head)
  const lift = spec.mouth.smileLift * unit
  const open = spec.mouth.openness * unit
  const l: Point = [left[0], left[1] - lift]
  const r: Point = [right[0], right[1] - lift]
  // A quadratic's midpoint lies halfway between the chord and its control point, hence the doubled offsets.
  const top = quadratic(l, [centre[0], centre[1] - lift + 2 * (lift + 0.01 * unit)], r, 12)
  const bottom = quadratic(r, [centre[0], centre[1] - lift + 2 * (lift + open)], l, 12)
  const mouth = polygon([...top, ...bottom])
  // Lips first and the opening over them, so the lip line frames the teeth instead of covering them.
  const lip = scale(colours.lip, 0.85)
  p.onHead(stroke([...top, ...bottom, top[0] as Point], 0.05 * unit), lip)
  p.onHead(stroke(bottom, 0.09 * unit), lip)
  p.onHead(mouth, MOUTH_INSIDE)
  const teethDepth = open * 0.5
  const teeth = polygon([...top, ...top.map(([x, y]): Point => [x, y + teethDepth]).reverse()])
  p.onHead(intersect(teeth, mouth), TEETH)
}
