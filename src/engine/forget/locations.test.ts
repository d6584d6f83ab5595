import { describe, expect, it } from 'vitest'
import { cellsIn, pickLocations } from './locations'

describe('cellsIn', () => {
  it('takes the cells whose centre lies inside the box', () => {
    // 4×4 grid: centres at 0.125, 0.375, 0.625, 0.875; the box covers columns 1–2 of row 0.
    expect(cellsIn({ x0: 0.3, y0: 0, x1: 0.7, y1: 0.2 }, 4, 4)).toEqual([1, 2])
    expect(cellsIn({ x0: 0, y0: 0, x1: 1, y1: 1 }, 2, 2)).toEqual([0, 1, 2, 3])
  })

  it('gives a box smaller than a cell the cell under its centre', () => {
    expect(cellsIn({ x0: 0.51, y0: 0.76, x1: 0.52, y1: 0.77 }, 4, 4)).toEqual([3 * 4 + 2])
  })
})

describe('pickLocations', () => {
  const boxes = [[{ x0: 0, y0: 0, x1: 0.5, y1: 0.5 }], [], [{ x0: 0.5, y0: 0.5, x1: 1, y1: 1 }]]

  it('numbers positives sample-major and draws random negatives outside every box (the paper)', () => {
    const { positives, negatives } = pickLocations(boxes, 4, 4, 2, 7)
    expect(positives).toEqual([0, 1, 4, 5, 32 + 10, 32 + 11, 32 + 14, 32 + 15])
    expect(negatives).toHaveLength(16)
    for (const n of negatives) expect(positives).not.toContain(n)
    expect(new Set(negatives).size).toBe(negatives.length)
    // Seeded: the same seed draws the same negatives, another seed others.
    expect(pickLocations(boxes, 4, 4, 2, 7).negatives).toEqual(negatives)
    expect(pickLocations(boxes, 4, 4, 2, 8).negatives).not.toEqual(negatives)
  })

  it('stops at the locations there are', () => {
    const all = [[{ x0: 0, y0: 0, x1: 1, y1: 0.5 }]]
    expect(pickLocations(all, 2, 2, 20, 1).negatives).toEqual([2, 3])
  })

  it("matched negatives are the positives' own cells on samples whose boxes do not cover them", () => {
    const { positives, negatives } = pickLocations(boxes, 4, 4, 1, 3, 'matched')
    expect(negatives.length).toBeGreaterThan(0)
    const positiveCells = new Set(positives.map((p) => p % 16))
    for (const n of negatives) {
      const sample = Math.floor(n / 16)
      const cell = n % 16
      expect(positiveCells.has(cell)).toBe(true)
      expect(positives).not.toContain(n)
      expect(sample === 1 || (sample === 0 && cell >= 8) || (sample === 2 && cell < 8) || cell % 4 < 2 === (sample === 2)).toBe(true)
    }
  })
})
