import { describe, expect, it } from 'vitest'
import { blankCanvas } from './canvas'
import { GLYPH_HEIGHT, GLYPH_WIDTH, canDraw, drawText, textHeight, textWidth } from './pixel-text'

const INK = [255, 255, 255] as const

/** The canvas as rows of '#' (ink) and '.', for comparing with the font's own pictures. */
function picture(canvas: { width: number; height: number; data: Uint8Array }): string[] {
  return Array.from({ length: canvas.height }, (_, y) =>
    Array.from({ length: canvas.width }, (_, x) => ((canvas.data[(y * canvas.width + x) * 4] as number) > 128 ? '#' : '.')).join('')
  )
}

describe('pixel text', () => {
  it('draws a digit as its 5×7 picture', () => {
    const canvas = blankCanvas(5, 7, [0, 0, 0])
    drawText(canvas, '1', 0, 0, INK)
    expect(picture(canvas)).toEqual(['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'])
  })

  it('measures text: 5 px a letter, 1 px between, times the scale', () => {
    expect(textWidth('')).toBe(0)
    expect(textWidth('A')).toBe(GLYPH_WIDTH)
    expect(textWidth('step 5,500')).toBe(10 * 6 - 1)
    expect(textWidth('AB', 3)).toBe(11 * 3)
    expect(textHeight(2)).toBe(GLYPH_HEIGHT * 2)
  })

  it('draws at an integer scale, each font pixel a square, with a blank column between letters', () => {
    const canvas = blankCanvas(textWidth('11', 2), textHeight(2), [0, 0, 0])
    drawText(canvas, '11', 0, 0, INK, 2)
    const rows = picture(canvas)
    expect(rows[0]).toBe('....##..........##....')
    expect(rows[1]).toBe(rows[0])
    expect(rows[13]).toBe('..######......######..')
  })

  it('draws lower case as capitals, covers the caption and loss labels, and leaves unknown characters blank', () => {
    expect(canDraw('step 5,500 · epoch 29')).toBe(true)
    expect(canDraw('D G (0-9) 50% a/b: x.')).toBe(true)
    expect(canDraw('ж')).toBe(false)
    const lower = blankCanvas(5, 7, [0, 0, 0])
    const upper = blankCanvas(5, 7, [0, 0, 0])
    drawText(lower, 'e', 0, 0, INK)
    drawText(upper, 'E', 0, 0, INK)
    expect(picture(lower)).toEqual(picture(upper))
    const unknown = blankCanvas(5, 7, [0, 0, 0])
    drawText(unknown, 'ж', 0, 0, INK)
    expect(picture(unknown).join('')).not.toContain('#')
  })

  it('clips at the canvas edges instead of wrapping into the next row', () => {
    const canvas = blankCanvas(8, 7, [0, 0, 0])
    drawText(canvas, 'HH', -2, 0, INK)
    // The first H's right half (columns 2-4 land on 0-2), then the second H from column 4.
    expect(picture(canvas)[3]).toBe('###.####')
    const below = blankCanvas(5, 3, [0, 0, 0])
    drawText(below, '8', 0, -4, INK)
    expect(picture(below)).toEqual(['#...#', '#...#', '.###.'])
  })
})
