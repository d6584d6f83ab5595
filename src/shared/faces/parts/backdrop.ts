import { assertNever } from '../../assert'
import type { Canvas, Rgb } from '../canvas'
import { BACKDROP, scale } from '../palette'
import type { FaceSpec } from '../spec'

const KINDS = ['solid', 'vertical', 'radial', 'slanted'] as const

/** The background: the labelled colour family, as a flat colour or a gradient towards a darker shade. */
export function paintBackdrop(canvas: Canvas, spec: FaceSpec): void {
  const { kind, brightness, jitter, contrast, angle } = spec.backdrop
  const base = BACKDROP[spec.background]
  const near: Rgb = scale([base[0] + jitter[0], base[1] + jitter[1], base[2] + jitter[2]], brightness)
  const far = scale(near, 1 - contrast)
  const style = KINDS[kind] ?? 'solid'
  const dx = Math.cos(angle)
  const dy = Math.sin(angle)
  const at = (x: number, y: number): number => {
    switch (style) {
      case 'solid':
        return 0
      case 'vertical':
        return y
      case 'radial':
        return Math.min(1, Math.hypot(x - 0.5, y - 0.45) * 1.6)
      case 'slanted':
        return Math.max(0, Math.min(1, 0.5 + (x - 0.5) * dx + (y - 0.5) * dy))
      default:
        return assertNever(style)
    }
  }
  canvas.fill((x, y, out) => {
    const t = at(x, y)
    out[0] = near[0] + (far[0] - near[0]) * t
    out[1] = near[1] + (far[1] - near[1]) * t
    out[2] = near[2] + (far[2] - near[2]) * t
  })
}
