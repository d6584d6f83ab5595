import * as fs from 'node:fs'
import type { Locator } from 'playwright-core'
import { expect } from 'vitest'
import { ExportRecord } from '../../src/shared/api/export'

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

/** Mean absolute difference of two pictures' bytes (0: the same picture); they must be the same size. */
export function meanDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number))
  return sum / a.length
}

/** The record written beside an exported file, checked against its schema. */
export function readRecord(file: string): ExportRecord {
  return ExportRecord.parse(JSON.parse(fs.readFileSync(file, 'utf8')))
}
