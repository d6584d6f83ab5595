import { project } from '../geometry'
import type { FacePainter } from '../painter'
import { scale } from '../palette'
import { ellipse, polygon } from '../shapes'

/**
 * The nose as its shaded side and nostrils. Its tip stands out from the face, so on a turned head it swings
 * past the nose's root: one of the pose cues.
 */
export function paintNose(p: FacePainter): void {
  const { head, spec, colours } = p
  const { length, width } = spec.nose
  const rootV = spec.eyes.y + 0.04
  const tipV = spec.eyes.y + 0.32 * length
  const turn = Math.sin(head.yaw)
  // The shaded side is the one turned from the viewer; a frontal face is shaded away from the light.
  const side = Math.abs(turn) > 0.15 ? -Math.sign(turn) : Math.cos(spec.light.angle) > 0 ? -1 : 1
  const root = project(head, 0, rootV, 0.05)
  const tip = project(head, 0, tipV, 0.24)
  const wing = project(head, side * 0.11 * width, tipV + 0.04, 0.1)
  const ridge = project(head, side * 0.05, rootV + 0.05, 0.05)
  p.onHead(polygon([root, tip, wing, ridge]), colours.skinShadow, 0.75)
  for (const s of [-1, 1]) {
    const [x, y] = project(head, s * 0.065 * width, tipV + 0.04, 0.12)
    p.onHead(ellipse(x, y, 0.035 * head.rx, 0.025 * head.ry), scale(colours.skin, 0.55), 0.85)
  }
}
