import { describe, expect, it } from 'vitest'
import { type LabelCandidate, placeLabels } from './label-placement'

const label = (x: number, width = 60): LabelCandidate => ({ above: { x, y: 100 }, below: { x, y: 140 }, width, height: 26 })

describe('placing the layer stack labels', () => {
  it('puts labels above their stacks when there is room', () => {
    const spots = placeLabels([label(50), label(150), label(250)], { width: 400, height: 300 })
    expect(spots.map((s) => s?.row)).toEqual(['above', 'above', 'above'])
    expect(spots[0]).toEqual({ row: 'above', left: 20, top: 74 })
  })

  it('moves a label that would overlap its neighbour below its stack, then one row further out, and hides one that fits nowhere', () => {
    const spots = placeLabels([label(50), label(85), label(130), label(100), label(115), label(70)], { width: 400, height: 300 })
    expect(spots.map((s) => s?.row ?? 'hidden')).toEqual(['above', 'below', 'above', 'above-far', 'below-far', 'hidden'])
    expect(spots[3]).toEqual({ row: 'above-far', left: 70, top: 100 - 26 - 30 })
    expect(spots[4]).toEqual({ row: 'below-far', left: 85, top: 140 + 30 })
  })

  it('never lets two shown labels overlap, nor leave the view', () => {
    const candidates = Array.from({ length: 12 }, (_, i) => label(20 + i * 31, 40 + (i % 3) * 15))
    const spots = placeLabels(candidates, { width: 380, height: 300 }, 4)
    const rects = spots.flatMap((s, i) => (s ? [{ ...s, right: s.left + (candidates[i] as LabelCandidate).width, bottom: s.top + 26 }] : []))
    for (const [i, a] of rects.entries()) {
      expect(a.left).toBeGreaterThanOrEqual(0)
      expect(a.right).toBeLessThanOrEqual(380)
      for (const b of rects.slice(i + 1)) expect(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top).toBe(true)
    }
    expect(rects.length).toBeGreaterThanOrEqual(8)
  })

  it('skips a place behind the camera', () => {
    expect(placeLabels([{ above: null, below: { x: 50, y: 50 }, width: 20, height: 10 }], { width: 100, height: 100 })[0]?.row).toBe('below')
  })
})
