import { project, smoothstep } from '../geometry'
import type { FacePainter } from '../painter'
import { scale } from '../palette'
import { type Shape, ellipse, intersect, polygon, quadratic, subtract, union, where } from '../shapes'
import { neckOf } from './body'

/**
 * Hair is the strongest masculine / feminine cue at 32 px: short hair ends above the ears; long hair (and the
 * chin-length bob) frames the face and falls past the jaw on both sides. A turned head shows more hair on the
 * side it turns away from, which is also what makes its pose readable.
 */

/** Long hair's outline: the skull and the drape falling from it. */
function longHairOutline(p: FacePainter): Shape {
  const { head, spec } = p
  const { volume, length, long } = spec.hairStyle
  const turn = Math.sin(head.yaw)
  const hx = head.cx - 0.2 * head.rx * turn
  const skullRx = head.rx * (1.12 + 0.08 * Math.abs(turn) + 0.1 * volume)
  const skull = ellipse(hx, head.cy - 0.08 * head.ry, skullRx, head.ry * (1.05 + 0.06 * volume))
  const bob = long === 2
  const end = head.cy + head.ry * (bob ? 0.92 + 0.15 * length : 1.45 + 0.6 * length)
  const bottom = head.rx * (bob ? 1.22 : 1.3 + 0.25 * volume)
  const top = head.cy - 0.1 * head.ry
  const drape = polygon([
    [hx - skullRx, top],
    ...quadratic([hx - bottom, end - 0.04 * head.ry], [hx, end + (bob ? 0.12 : 0.03) * head.ry], [hx + bottom, end - 0.04 * head.ry], 10),
    [hx + skullRx, top]
  ])
  return union(skull, drape)
}

/** The hair behind the head and neck (drawn first). */
export function paintLongHairBehind(p: FacePainter): void {
  p.onHead(longHairOutline(p), scale(p.colours.hair, 0.82))
}

/** The hair in front: over the top of the head, the temples and the ears, leaving the face and neck open. */
export function paintLongHairFront(p: FacePainter): void {
  const { head, spec } = p
  const { hairline, long, parting } = spec.hairStyle
  const [ox] = project(head, 0, 0.15)
  const oy = head.cy + 0.15 * head.ry
  const bangs = long === 1
  const centre = bangs ? -0.36 + 0.05 * hairline : -0.62 + 0.1 * hairline
  const partX = ox + parting * 0.25 * head.rx
  // The hairline sweeps down towards the temples; with bangs it is a straight fringe above the brows.
  const hairlineY = (x: number): number => {
    const d = Math.abs(x - partX) / head.rx
    return head.cy + head.ry * (centre + (bangs ? 0.08 : 0.3) * smoothstep(0.25, 0.95, d))
  }
  const face = where(ellipse(ox, oy, head.rx * 0.86, head.ry * 1.02), (x, y) => y > hairlineY(x))
  const neck = neckOf(p)
  const neckGap = polygon([
    [neck.x - neck.half * 1.04, head.cy + 0.5 * head.ry],
    [neck.x + neck.half * 1.04, head.cy + 0.5 * head.ry],
    [neck.x + neck.half * 1.2, 1.1],
    [neck.x - neck.half * 1.2, 1.1]
  ])
  p.onHead(subtract(longHairOutline(p), union(face, neckGap)), p.colours.hair)
}

/** Short hair: a cap over the skull down to the hairline, with sideburns at the edges. */
export function paintShortHair(p: FacePainter): void {
  const { head, spec, colours } = p
  const { short, volume, hairline, parting } = spec.hairStyle
  const turn = Math.sin(head.yaw)
  const buzz = short === 2
  const receding = short === 3
  const grow = buzz ? 0 : 0.02 + 0.07 * volume
  const skull = ellipse(
    head.cx - 0.22 * head.rx * turn,
    head.cy - 0.1 * head.ry,
    head.rx * (1.03 + 0.08 * Math.abs(turn) + grow),
    head.ry * (0.99 + grow * 0.8)
  )
  const [fx] = project(head, 0, 0)
  const centre = -0.64 + 0.12 * hairline - (receding ? 0.1 : 0)
  const sideburn = 0.04 + 0.1 * hairline
  const hairlineY = (x: number): number => {
    const d = Math.abs(x - fx) / head.rx
    let v = centre + (sideburn - centre) * smoothstep(0.55, 0.97, d)
    if (receding) v -= 0.12 * Math.exp(-(((d - 0.6) / 0.2) ** 2))
    return head.cy + head.ry * v
  }
  const cap = where(skull, (x, y) => y < hairlineY(x))
  p.onHead(cap, colours.hair, buzz ? 0.85 : 1)
  if (short === 1) {
    // A quiff: extra volume swept to one side of the top.
    const [qx] = project(head, parting * 0.3, 0)
    const quiff = ellipse(qx - 0.15 * head.rx * turn, head.cy - 0.92 * head.ry, 0.6 * head.rx, 0.24 * head.ry)
    p.onHead(
      where(quiff, (x, y) => y < hairlineY(x) + 0.02),
      colours.hair
    )
  }
  if (!buzz) {
    // A darker parting line adds texture the generator can learn.
    const [px, py] = project(head, parting * 0.45, centre - 0.02)
    p.onHead(intersect(ellipse(px, py - 0.12 * head.ry, 0.025 * head.rx, 0.16 * head.ry), cap), scale(colours.hair, 0.7), 0.7)
  }
}
