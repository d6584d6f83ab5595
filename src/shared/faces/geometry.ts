import { assertNever } from '../assert'
import type { Box, Point } from './shapes'
import type { FaceSpec } from './spec'

/**
 * Where a face's parts go. The head is modelled as a vertical ellipsoid: a feature sits at `u`, the sine of
 * its angle round the head seen from the front (0 = the middle, ±1 = the edges), and `v`, its height in
 * vertical radii from the head's centre (down is positive). Turning the head by `yaw` moves a feature to
 * sin(asin(u) + yaw) and narrows it by the cosine ratio, so a turned face shifts and foreshortens its
 * features like a real one; things that stick out (the nose tip) move further.
 */
export interface Head {
  cx: number
  cy: number
  rx: number
  ry: number
  yaw: number
  roll: number
}

export function headOf(spec: FaceSpec): Head {
  const { cx, cy, rx, aspect, turn, frontalYaw, roll } = spec.head
  return { cx, cy, rx, ry: rx * aspect, yaw: yawOf(spec.pose, turn, frontalYaw), roll }
}

function yawOf(pose: FaceSpec['pose'], turn: number, frontalYaw: number): number {
  switch (pose) {
    case 'left':
      return -turn
    case 'right':
      return turn
    case 'frontal':
      return frontalYaw
    default:
      return assertNever(pose)
  }
}

/** A point on the head at (u, v), `depth` head radii in front of its surface, in image fractions. */
export function project(head: Head, u: number, v: number, depth = 0): Point {
  const angle = Math.asin(Math.max(-1, Math.min(1, u))) + head.yaw
  return [head.cx + head.rx * (1 + depth) * Math.sin(angle), head.cy + head.ry * v]
}

/** The `u` of the head's surface point drawn at image x (the inverse of `project` across the face). */
export function unproject(head: Head, x: number): number {
  const across = Math.max(-1, Math.min(1, (x - head.cx) / head.rx))
  return Math.sin(Math.asin(across) - head.yaw)
}

export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.max(0, Math.min(1, (x - edge0) / (edge1 - edge0)))
  return t * t * (3 - 2 * t)
}

/** How much narrower a feature at `u` looks once the head is turned (1 = not at all). */
export function foreshortening(head: Head, u: number): number {
  const angle = Math.asin(Math.max(-1, Math.min(1, u)))
  return Math.max(0.25, Math.cos(angle + head.yaw) / Math.cos(angle))
}

/** Whether a point at `u` on the head faces the viewer. */
export function visible(head: Head, u: number): boolean {
  return Math.cos(Math.asin(Math.max(-1, Math.min(1, u))) + head.yaw) > 0.05
}

/**
 * The outline of the face's skin: an ellipse on top; below the cheekbones a jaw that is squarer for
 * masculine faces and narrows to the chin, with the chin swung towards the turn.
 */
export function faceOutline(spec: FaceSpec, head: Head, points = 56): Point[] {
  const square = Math.min(1, spec.head.jaw + (spec.masculine ? 0.45 : 0))
  // Lower-half exponent: 1 is the plain ellipse, below 1 pushes the jaw's corners out.
  const q = 1 - 0.3 * square
  const taper = 0.16 * (1 - square)
  const swing = Math.sin(head.yaw)
  const outline: Point[] = []
  for (let k = 0; k < points; k++) {
    const a = (2 * Math.PI * k) / points
    let px = Math.cos(a)
    let py = Math.sin(a)
    if (py > 0) {
      px = Math.sign(px) * Math.abs(px) ** q * (1 - taper * py * py)
      py = py ** q
    }
    // The cheek on the side the face turns to flattens; the chin follows the turn.
    if (px * swing > 0) px *= 1 - 0.1 * Math.abs(swing)
    const chinShift = py > 0 ? 0.3 * swing * py * py : 0
    outline.push([head.cx + head.rx * (px + chinShift), head.cy + head.ry * py])
  }
  return outline
}

export interface EyeLayout {
  /** Which side of the face: −1 the face's right (image left), +1 the other. */
  side: -1 | 1
  x: number
  y: number
  /** Half-width (foreshortened) and half-height. */
  w: number
  h: number
  visible: boolean
}

export function eyeLayouts(spec: FaceSpec, head: Head): EyeLayout[] {
  return ([-1, 1] as const).map((side) => {
    const u = side * spec.eyes.spacing
    const [x, y] = project(head, u, spec.eyes.y)
    const size = spec.eyes.size * head.rx
    return { side, x, y, w: 0.17 * size * foreshortening(head, u), h: 0.085 * size, visible: visible(head, u) }
  })
}

export interface MouthLayout {
  left: Point
  right: Point
  centre: Point
  /** The mouth's height scale: a fraction of the head's vertical radius. */
  unit: number
}

export function mouthLayout(spec: FaceSpec, head: Head): MouthLayout {
  const half = (spec.mouth.width / 2) * (spec.smiling ? 1.2 : 1)
  const v = spec.mouth.y
  return { left: project(head, -half, v), right: project(head, half, v), centre: project(head, 0, v, 0.06), unit: head.ry }
}

/** Regions of a rendered face, in image fractions (after the head's tilt): for tests and exemplar crops. */
export interface FaceLayout {
  head: Box
  mouth: Box
  eyes: Box
}

export function faceLayout(spec: FaceSpec): FaceLayout {
  const head = headOf(spec)
  const eyes = eyeLayouts(spec, head)
  const mouth = mouthLayout(spec, head)
  const tilt = (box: Box): Box => rotateBox(box, head.cx, head.cy, head.roll)
  const lift = spec.mouth.smileLift * head.ry
  const open = spec.mouth.openness * head.ry
  return {
    head: tilt({ x0: head.cx - head.rx, y0: head.cy - head.ry, x1: head.cx + head.rx, y1: head.cy + head.ry }),
    mouth: tilt({
      x0: Math.min(mouth.left[0], mouth.centre[0]) - 0.04 * head.rx,
      y0: mouth.centre[1] - lift - 0.06 * head.ry,
      x1: Math.max(mouth.right[0], mouth.centre[0]) + 0.04 * head.rx,
      y1: mouth.centre[1] + open + 0.06 * head.ry
    }),
    // The glasses' extent: rims reach past each eye by about its own width.
    eyes: tilt({
      x0: Math.min(...eyes.map((e) => e.x - e.w * 2)),
      y0: Math.min(...eyes.map((e) => e.y - e.h * 3.5)),
      x1: Math.max(...eyes.map((e) => e.x + e.w * 2)),
      y1: Math.max(...eyes.map((e) => e.y + e.h * 3.5))
    })
  }
}

function rotateBox(box: Box, cx: number, cy: number, angle: number): Box {
  const c = Math.cos(angle)
  const s = Math.sin(angle)
  const corners = [
    [box.x0, box.y0],
    [box.x1, box.y0],
    [box.x0, box.y1],
    [box.x1, box.y1]
  ].map(([x, y]) => [cx + c * ((x as number) - cx) - s * ((y as number) - cy), cy + s * ((x as number) - cx) + c * ((y as number) - cy)] as const)
  return {
    x0: Math.min(...corners.map((p) => p[0])),
    y0: Math.min(...corners.map((p) => p[1])),
    x1: Math.max(...corners.map((p) => p[0])),
    y1: Math.max(...corners.map((p) => p[1]))
  }
}
