import { describe, expect, it } from 'vitest'
import { blankCanvas } from './canvas'
import { textWidth } from './pixel-text'
import { BACKGROUND, D_COLOUR, G_COLOUR, LossStrip, STRIP_HEIGHT, captionText, columnMeans, composeFrame, planLayout } from './timelapse-frame'
import { chooseSteps, epochAt, frameGeometry } from './timelapse-export'
import type { MetricsLine, RunRecord } from '../../../shared/formats/run'

function pixel(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const o = (y * image.width + x) * 4
  return Array.from(image.data.subarray(o, o + 3))
}

const line = (step: number, epoch: number, dLoss: number, gLoss: number): MetricsLine => ({
  step,
  epoch,
  dLoss,
  gLoss,
  dReal: 0.5,
  dFake: 0.5,
  imagesPerSecond: 1,
  time: 0
})

describe('timelapse frames', () => {
  it('captions a frame with its step and epoch, thousands separated', () => {
    expect(captionText(5500, 3)).toBe('step 5,500 · epoch 3')
    expect(captionText(0, null)).toBe('step 0')
  })

  it('puts the caption under the grid and the loss strip under the caption, as wide as the grid', () => {
    const layout = planLayout(270, 270, captionText(5500, 29), true)
    expect(layout).toMatchObject({ width: 270, grid: { x: 0, y: 0, width: 270, height: 270 }, caption: { x: 4, y: 273 } })
    expect(layout.strip).toEqual({ x: 0, y: 283, width: 270, height: STRIP_HEIGHT })
    expect(layout.height).toBe(283 + STRIP_HEIGHT)
    expect(planLayout(270, 270, 'step 0', false)).toMatchObject({ height: 283, strip: null })
  })

  it('widens the frame for a caption longer than a small grid, and centres the grid', () => {
    const caption = captionText(120_000, 1_234)
    const layout = planLayout(40, 40, caption, false)
    expect(layout.width).toBe(textWidth(caption) + 8)
    expect(layout.grid.x).toBe(Math.floor((layout.width - 40) / 2))
  })

  it('draws the grid, the caption in light ink, and the strip with its cursor at the frame’s step', () => {
    const grid = blankCanvas(100, 60, [200, 10, 10])
    const layout = planLayout(100, 60, captionText(100, 1), true)
    const series = { steps: [0, 50, 100], d: [1, 0.5, 0.2], g: [2, 3, 4] }
    const strip = new LossStrip(layout.strip as NonNullable<typeof layout.strip>, series, 0, 100)
    const frame = composeFrame(layout, grid, captionText(50, 1), strip, 50)
    expect(frame.width).toBe(layout.width)
    expect(frame.height).toBe(layout.height)
    expect(pixel(frame, 50, 30)).toEqual([200, 10, 10])
    // Some ink in the caption band, background elsewhere in it.
    const band = Array.from({ length: 7 }, (_, dy) => Array.from({ length: 60 }, (_, x) => pixel(frame, 4 + x, layout.caption.y + dy)))
      .flat()
      .filter((p) => (p[0] as number) > 200)
    expect(band.length).toBeGreaterThan(20)
    const stripTop = (layout.strip?.y ?? 0) + 3
    const cursor = strip.cursorX(50)
    expect(pixel(frame, cursor, stripTop + 10)).toEqual([240, 240, 240])
    expect(strip.cursorX(0)).toBeLessThan(cursor)
    expect(strip.cursorX(100)).toBeGreaterThan(cursor)
    // G's curve is at the top of the plot at the last step (its highest loss), dimmed after the cursor.
    const last = strip.cursorX(100)
    const column = Array.from({ length: STRIP_HEIGHT - 6 }, (_, y) => pixel(frame, last, stripTop + y))
    expect(column.some((p) => (p[2] as number) > BACKGROUND[2] + 20 && (p[2] as number) < G_COLOUR[2])).toBe(true)
    const before = composeFrame(layout, grid, captionText(100, 1), strip, 100)
    // (The cursor covers its own column; the curve just left of it is bright.)
    const bright = Array.from({ length: STRIP_HEIGHT - 6 }, (_, y) => pixel(before, last - 1, stripTop + y))
    expect(bright.some((p) => p[2] === G_COLOUR[2] && p[0] === G_COLOUR[0])).toBe(true)
    expect(D_COLOUR).not.toEqual(G_COLOUR)
  })

  it('averages the losses of the steps that fall on one column', () => {
    const means = columnMeans([1, 2, 3, 4], [1, 3, 10, Number.NaN], (step) => (step <= 2 ? 0 : 1))
    expect([...means]).toEqual([
      [0, 2],
      [1, 10]
    ])
  })

  it('enlarges a whole number of times by default, to an even size for MP4, or to the width asked', () => {
    const layout = planLayout(270, 270, 'step 0', true)
    expect(frameGeometry(layout, { size: null, format: 'mp4', fps: 10 })).toMatchObject({
      inputWidth: 270,
      inputHeight: 323,
      outputWidth: 540,
      outputHeight: 646
    })
    expect(frameGeometry(layout, { size: 270, format: 'gif', fps: 10 })).toMatchObject({ outputWidth: 270, outputHeight: 323, upscale: 'nearest' })
    expect(frameGeometry(layout, { size: 270, format: 'webm', fps: 10 })).toMatchObject({ outputWidth: 270, outputHeight: 324 })
    expect(() => frameGeometry(layout, { size: 4000, format: 'mp4', fps: 10 })).toThrow(/the most is 4096 a side/)
  })
})

describe('which grids a timelapse shows', () => {
  const run = { name: 'Faces' } as RunRecord
  it('takes the grids in the range, and refuses an empty one naming the grids there are', () => {
    expect(chooseSteps(run, [0, 250, 500, 750], { fromStep: null, toStep: null })).toEqual([0, 250, 500, 750])
    expect(chooseSteps(run, [0, 250, 500, 750], { fromStep: 250, toStep: 600 })).toEqual([250, 500])
    expect(() => chooseSteps(run, [0, 250], { fromStep: 300, toStep: null })).toThrow(
      /no sample grids between step 300 and step the end; it has grids from step 0 to step 250/
    )
    expect(() => chooseSteps(run, [0, 250], { fromStep: 300, toStep: 100 })).toThrow(/range of steps is empty/)
  })

  it('says why an imported model has nothing to play', () => {
    const imported = { name: 'From PyTorch', imported: { format: 'pytorch' } } as RunRecord
    expect(() => chooseSteps(imported, [], { fromStep: null, toStep: null })).toThrow(/imported \(pytorch\) as a finished model, so it has no training history/)
    expect(() => chooseSteps(run, [], { fromStep: null, toStep: null })).toThrow(/no sample grids yet/)
  })

  it('finds the epoch of a step from the last metrics line at or before it', () => {
    const metrics = [line(1, 0, 1, 1), line(100, 0, 1, 1), line(101, 1, 1, 1), line(300, 2, 1, 1)]
    expect(epochAt(metrics, 0)).toBe(0)
    expect(epochAt(metrics, 100)).toBe(0)
    expect(epochAt(metrics, 150)).toBe(1)
    expect(epochAt(metrics, 5000)).toBe(2)
    expect(epochAt([], 10)).toBeNull()
  })
})
