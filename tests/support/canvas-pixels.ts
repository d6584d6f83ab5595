import type { Locator } from 'playwright-core'
import { expect } from 'vitest'

/** The RGBA pixels a canvas on the page shows, to compare what a panel drew. */
export function canvasPixels(canvas: Locator): Promise<number[]> {
  return canvas.evaluate((element) => {
    const c = element as unknown as {
      width: number
      height: number
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } }
    }
    return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)
  })
}

/** Mean absolute difference of two pictures' bytes (0: the same picture). */
export function meanDifference(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length)
  return a.reduce((sum, v, i) => sum + Math.abs(v - (b[i] as number)), 0) / a.length
}
