import type { Background, HairColour, SkinTone } from './attributes'
import type { Rgb } from './canvas'
import type { Shade } from './spec'

/** The colours of the labelled classes and of the unlabelled parts. */

export const SKIN: Record<SkinTone, Rgb> = {
  light: [238, 204, 180],
  medium: [220, 172, 132],
  olive: [192, 148, 104],
  brown: [150, 102, 68],
  dark: [98, 64, 44]
}

export const HAIR: Record<HairColour, Rgb> = {
  black: [32, 27, 27],
  brown: [100, 62, 36],
  blonde: [218, 184, 112],
  red: [168, 72, 36],
  gray: [170, 170, 172]
}

export const BACKDROP: Record<Background, Rgb> = {
  gray: [150, 150, 152],
  blue: [92, 132, 192],
  green: [112, 160, 112],
  warm: [222, 186, 140],
  purple: [142, 110, 172]
}

export const IRIS: readonly Rgb[] = [
  [92, 56, 30],
  [50, 32, 22],
  [70, 110, 160],
  [80, 120, 70],
  [120, 90, 45]
]

export const LIPSTICK: readonly Rgb[] = [
  [182, 38, 58],
  [204, 84, 112],
  [128, 30, 52]
]

/** Frame colours are all dark, so glasses read as a dark ring around each eye on every skin tone. */
export const FRAMES: readonly Rgb[] = [
  [22, 20, 20],
  [66, 40, 24],
  [26, 30, 70],
  [100, 22, 32],
  [58, 58, 62],
  [88, 54, 30]
]

export const SCLERA: Rgb = [240, 236, 230]
export const TEETH: Rgb = [240, 236, 224]
export const MOUTH_INSIDE: Rgb = [56, 14, 20]
export const BLACK: Rgb = [0, 0, 0]
export const WHITE: Rgb = [255, 255, 255]

export function shaded(base: Rgb, shade: Shade): Rgb {
  return clampRgb([base[0] * shade.brightness + shade.offset[0], base[1] * shade.brightness + shade.offset[1], base[2] * shade.brightness + shade.offset[2]])
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

export function scale(colour: Rgb, factor: number): Rgb {
  return clampRgb([colour[0] * factor, colour[1] * factor, colour[2] * factor])
}

/** Hue, saturation and value (each 0…1) as RGB. */
export function hsv(h: number, s: number, v: number): Rgb {
  const i = Math.floor(h * 6) % 6
  const f = h * 6 - Math.floor(h * 6)
  const p = v * (1 - s)
  const q = v * (1 - f * s)
  const t = v * (1 - (1 - f) * s)
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q]
  ][i] as [number, number, number]
  return [r * 255, g * 255, b * 255]
}

function clampRgb(c: Rgb): Rgb {
  return [Math.max(0, Math.min(255, c[0])), Math.max(0, Math.min(255, c[1])), Math.max(0, Math.min(255, c[2]))]
}
