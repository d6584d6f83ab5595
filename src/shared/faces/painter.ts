import type { Canvas, Rgb } from './canvas'
import { type Head, headOf } from './geometry'
import { HAIR, LIPSTICK, SKIN, mix, scale, shaded } from './palette'
import { type Shape, rotate } from './shapes'
import type { FaceSpec } from './spec'

/** The colours one face is painted with, derived once from its spec. */
export interface FaceColours {
  skin: Rgb
  skinShadow: Rgb
  hair: Rgb
  brow: Rgb
  lash: Rgb
  lip: Rgb
}

/** What every part painter gets: the spec, the head's placement, the colours and the canvas. */
export interface FacePainter {
  spec: FaceSpec
  head: Head
  colours: FaceColours
  /** Paints a part of the head: it tilts with the head. */
  onHead(shape: Shape, colour: Rgb, opacity?: number): void
  /** Paints something that stays upright (backdrop, shoulders). */
  upright(shape: Shape, colour: Rgb, opacity?: number): void
  canvas: Canvas
}

export function facePainter(canvas: Canvas, spec: FaceSpec): FacePainter {
  const head = headOf(spec)
  const colours = faceColours(spec)
  return {
    spec,
    head,
    colours,
    canvas,
    onHead: (shape, colour, opacity = 1) => canvas.paint(rotate(shape, head.cx, head.cy, head.roll), colour, opacity),
    upright: (shape, colour, opacity = 1) => canvas.paint(shape, colour, opacity)
  }
}

function faceColours(spec: FaceSpec): FaceColours {
  const skin = shaded(SKIN[spec.skin], spec.skinShade)
  const hair = shaded(HAIR[spec.hair], spec.hairShade)
  // Light hair still gets brows and lashes that show against the skin.
  const light = spec.hair === 'blonde' || spec.hair === 'gray'
  const brow = scale(hair, light ? 0.7 : 0.85)
  const lash = mix(hair, [20, 16, 16], 0.7)
  const natural = scale(mix(skin, [168, 62, 62], 0.4), 0.9)
  const lipstick = LIPSTICK[spec.mouth.lipstick]
  const lip = !spec.masculine && lipstick ? lipstick : natural
  return { skin, skinShadow: scale(skin, 0.82), hair, brow, lash, lip }
}
