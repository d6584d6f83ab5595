import type { RgbaImage } from '../../../shared/api/image'
import { type Rgb, blankCanvas, drawImage, fillRect } from './canvas'
import { drawText, textHeight, textWidth } from './pixel-text'

/**
 * One frame of a training timelapse, drawn at the sample grid's own pixel size (ffmpeg enlarges the whole frame
 * with nearest-neighbour, so the grid, the letters and the curves all stay crisp):
 *
 *   ┌──────────────────────────┐
 *   │   the fixed-noise grid   │
 *   ├──────────────────────────┤
 *   │ STEP 5,500 · EPOCH 29    │  caption
 *   ├──────────────────────────┤
 *   │ D ╲__/‾‾‾|.......        │  loss strip (optional): D and G losses over the steps shown, a cursor at
 *   │ G ‾‾╲__  |.......        │  the frame's step, the curves dimmed after it
 *   └──────────────────────────┘
 */

export const BACKGROUND: Rgb = [17, 19, 24]
const TEXT: Rgb = [232, 234, 240]
const CURSOR: Rgb = [240, 240, 240]
const AXIS: Rgb = [52, 56, 66]
/** The run view's chart colours (RunMonitor's loss chart). */
export const D_COLOUR: Rgb = [255, 159, 106]
export const G_COLOUR: Rgb = [106, 168, 255]

const PAD = 4
const CAPTION_HEIGHT = textHeight() + 2 * 3
export const STRIP_HEIGHT = 40

interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export interface TimelapseLayout {
  width: number
  height: number
  grid: Rect
  caption: { x: number; y: number }
  strip: Rect | null
}

/** Where everything goes: the frame is as wide as the grid, or as the longest caption when that is wider. */
export function planLayout(gridWidth: number, gridHeight: number, longestCaption: string, losses: boolean): TimelapseLayout {
  const width = Math.max(gridWidth, textWidth(longestCaption) + 2 * PAD)
  const captionTop = gridHeight
  const stripTop = captionTop + CAPTION_HEIGHT
  return {
    width,
    height: stripTop + (losses ? STRIP_HEIGHT : 0),
    grid: { x: Math.floor((width - gridWidth) / 2), y: 0, width: gridWidth, height: gridHeight },
    caption: { x: PAD, y: captionTop + 3 },
    strip: losses ? { x: 0, y: stripTop, width, height: STRIP_HEIGHT } : null
  }
}

/** "step 5,500 · epoch 29" (no epoch where the run has no metrics for that step: an imported model's step 0). */
export function captionText(step: number, epoch: number | null): string {
  const steps = `step ${step.toLocaleString('en-US')}`
  return epoch === null ? steps : `${steps} · epoch ${epoch.toLocaleString('en-US')}`
}

/** The losses to draw, in step order. */
export interface LossSeries {
  steps: number[]
  d: number[]
  g: number[]
}

/**
 * The loss strip, drawn twice once (curves bright and curves dim); each frame copies the dim one and then the
 * bright one's columns up to its cursor, so per frame it costs a copy, not a redraw.
 */
export class LossStrip {
  private readonly bright: RgbaImage
  private readonly dim: RgbaImage
  private readonly plot: Rect

  constructor(
    private readonly rect: Rect,
    series: LossSeries,
    private readonly firstStep: number,
    private readonly lastStep: number
  ) {
    const legend = textWidth('D') + 4
    this.plot = { x: PAD + legend, y: 3, width: Math.max(1, rect.width - 2 * PAD - legend), height: rect.height - 6 }
    this.bright = this.draw(series, 1)
    this.dim = this.draw(series, 0.35)
  }

  /** The column of the plot that `step` falls on (relative to the strip). */
  cursorX(step: number): number {
    const span = this.lastStep - this.firstStep
    const t = span > 0 ? (Math.min(Math.max(step, this.firstStep), this.lastStep) - this.firstStep) / span : 1
    return this.plot.x + Math.round(t * (this.plot.width - 1))
  }

  drawInto(canvas: RgbaImage, step: number): void {
    const cursor = this.cursorX(step)
    drawImage(canvas, this.dim, this.rect.x, this.rect.y)
    for (let row = 0; row < this.rect.height; row++) {
      const from = row * this.rect.width * 4
      canvas.data.set(this.bright.data.subarray(from, from + (cursor + 1) * 4), ((this.rect.y + row) * canvas.width + this.rect.x) * 4)
    }
    fillRect(canvas, this.rect.x + cursor, this.rect.y + this.plot.y, 1, this.plot.height, CURSOR)
  }

  private draw(series: LossSeries, strength: number): RgbaImage {
    const strip = blankCanvas(this.rect.width, this.rect.height, BACKGROUND)
    const shade = (c: Rgb): Rgb => c.map((v, i) => Math.round((BACKGROUND[i] as number) + (v - (BACKGROUND[i] as number)) * strength)) as unknown as Rgb
    fillRect(strip, this.plot.x, this.plot.y + this.plot.height - 1, this.plot.width, 1, AXIS)
    // Per-step losses are noisy: each column shows the mean of the steps that fall on it.
    const d = columnMeans(series.steps, series.d, (step) => this.cursorX(step))
    const g = columnMeans(series.steps, series.g, (step) => this.cursorX(step))
    const values = [...d.values(), ...g.values()]
    const low = Math.min(0, ...values)
    const high = Math.max(low + 1e-6, ...values)
    const y = (v: number): number => this.plot.y + Math.round((1 - (v - low) / (high - low)) * (this.plot.height - 1))
    for (const [means, colour] of [
      [d, D_COLOUR],
      [g, G_COLOUR]
    ] as const) {
      let previous: [number, number] | null = null
      for (const [x, v] of means) {
        const point: [number, number] = [x, y(v)]
        if (previous) drawLine(strip, previous, point, shade(colour))
        else fillRect(strip, point[0], point[1], 1, 1, shade(colour))
        previous = point
      }
    }
    drawText(strip, 'D', PAD, this.plot.y + 2, D_COLOUR)
    drawText(strip, 'G', PAD, this.plot.y + this.plot.height - textHeight() - 2, G_COLOUR)
    return strip
  }
}

/** Column → mean of the finite values whose step falls on it, in column order. */
export function columnMeans(steps: number[], values: number[], column: (step: number) => number): Map<number, number> {
  const sums = new Map<number, { sum: number; n: number }>()
  steps.forEach((step, i) => {
    const v = values[i] as number
    if (!Number.isFinite(v)) return
    const x = column(step)
    const bucket = sums.get(x) ?? { sum: 0, n: 0 }
    bucket.sum += v
    bucket.n++
    sums.set(x, bucket)
  })
  return new Map([...sums].sort((a, b) => a[0] - b[0]).map(([x, { sum, n }]) => [x, sum / n]))
}

/** Bresenham's line, one pixel wide. */
function drawLine(canvas: RgbaImage, [x0, y0]: [number, number], [x1, y1]: [number, number], colour: Rgb): void {
  const dx = Math.abs(x1 - x0)
  const dy = -Math.abs(y1 - y0)
  const sx = x0 < x1 ? 1 : -1
  const sy = y0 < y1 ? 1 : -1
  let err = dx + dy
  let x = x0
  let y = y0
  for (;;) {
    fillRect(canvas, x, y, 1, 1, colour)
    if (x === x1 && y === y1) return
    const e2 = 2 * err
    if (e2 >= dy) {
      err += dy
      x += sx
    }
    if (e2 <= dx) {
      err += dx
      y += sy
    }
  }
}

/** A whole frame: the grid, its caption, and the loss strip with its cursor at `step`. */
export function composeFrame(layout: TimelapseLayout, grid: RgbaImage, caption: string, strip: LossStrip | null, step: number): RgbaImage {
  const frame = blankCanvas(layout.width, layout.height, BACKGROUND)
  drawImage(frame, grid, layout.grid.x, layout.grid.y)
  drawText(frame, caption, layout.caption.x, layout.caption.y, TEXT)
  strip?.drawInto(frame, step)
  return frame
}
