/**
 * Where the layer stack's HTML labels go on screen, as pure geometry: each label above its stack unless that
 * would overlap a label already placed (or leave the view), then below it, then one label further above or
 * below (still centred on its stack), else not shown at all — so labels never pile up illegibly, whatever the
 * zoom and turn.
 */

export interface LabelCandidate {
  /** Screen point just above the stack (the label's bottom centre goes there), or null when behind the camera. */
  above: { x: number; y: number } | null
  /** Screen point just below the stack (the label's top centre goes there). */
  below: { x: number; y: number } | null
  width: number
  height: number
}

export interface LabelSpot {
  row: 'above' | 'below' | 'above-far' | 'below-far'
  /** The label's top left corner, in CSS pixels from the view's top left. */
  left: number
  top: number
}

interface Rect {
  left: number
  top: number
  right: number
  bottom: number
}

/** Places labels in order (input side first); null for a label that fits nowhere. `gap` keeps neighbours apart. */
export function placeLabels(candidates: readonly LabelCandidate[], view: { width: number; height: number }, gap = 4): (LabelSpot | null)[] {
  const taken: Rect[] = []
  const clear = (r: Rect): boolean =>
    r.left >= 0 &&
    r.top >= 0 &&
    r.right <= view.width &&
    r.bottom <= view.height &&
    taken.every((t) => r.right + gap <= t.left || t.right + gap <= r.left || r.bottom + gap <= t.top || t.bottom + gap <= r.top)
  return candidates.map((c) => {
    const far = c.height + gap
    const options: [LabelSpot['row'], { x: number; y: number } | null, number][] = [
      ['above', c.above, -c.height],
      ['below', c.below, 0],
      ['above-far', c.above, -c.height - far],
      ['below-far', c.below, far]
    ]
    for (const [row, point, offset] of options) {
      if (!point) continue
      const left = point.x - c.width / 2
      const top = point.y + offset
      const rect = { left, top, right: left + c.width, bottom: top + c.height }
      if (clear(rect)) {
        taken.push(rect)
        return { row, left, top }
      }
    }
    return null
  })
}
