import type { ArithmeticResult } from '../../../shared/api/explore'
import type { RgbaImage } from '../../../shared/api/image'
import { type Rgb, blankCanvas, drawImage, fillRect } from './canvas'

const PAPER: Rgb = [255, 255, 255]
const INK: Rgb = [60, 60, 60]
const RULE: Rgb = [200, 200, 200]
const RESULT_FRAME: Rgb = [200, 40, 40]

/** A named region of the figure (in the figure's pixels), so a sidecar reader can crop any part of it. */
export interface FigureCell {
  label: string
  x: number
  y: number
  width: number
  height: number
}

/**
 * Vector arithmetic laid out as in the paper's Fig. 7: each slot's exemplars in a column, the image of the
 * column's mean z under it, − + = between the means, and the result in the middle of its noise fan (a 3×3
 * grid for 8 neighbours). Below a rule, the same arithmetic on pixels, which fails as the paper shows.
 * Drawn at the generator's size; the caller scales the whole figure.
 */
export function arithmeticFigure(result: ArithmeticResult, pixelSpace: boolean): { image: RgbaImage; cells: FigureCell[] } {
  const tile = result.result.image.width
  const gap = Math.max(1, Math.round(tile / 16))
  const margin = Math.max(2, Math.round(tile / 4))
  const opWidth = Math.round(tile * 0.75)
  const separation = Math.max(2 * gap, Math.round(tile / 4))
  const slots = [result.a, result.b, result.c]
  const slotX = [0, 1, 2].map((i) => margin + i * (tile + opWidth))
  const opX = slotX.map((x) => x + tile)
  const fanX = (opX[2] as number) + opWidth

  const fanImages = result.neighbours.map((n) => n.image)
  const cells = fanImages.length + 1
  const fanColumns = Math.ceil(Math.sqrt(cells))
  const fanRows = Math.ceil(cells / fanColumns)
  const centre = Math.floor(cells / 2)
  const fanWidth = fanColumns * tile + (fanColumns - 1) * gap
  const fanHeight = fanRows * tile + (fanRows - 1) * gap

  const exemplarRows = Math.max(...slots.map((s) => s.exemplars.length))
  let exemplarY = margin
  let meanY = exemplarY + exemplarRows * tile + (exemplarRows - 1) * gap + separation
  // The result sits level with the means; its fan may reach above the exemplars, so push everything down.
  let fanY = meanY - Math.floor(centre / fanColumns) * (tile + gap)
  if (fanY < margin) {
    const shift = margin - fanY
    exemplarY += shift
    meanY += shift
    fanY += shift
  }
  const topBottom = Math.max(meanY + tile, fanY + fanHeight)
  const pixelY = topBottom + 2 * separation
  const width = fanX + fanWidth + margin
  const height = (pixelSpace ? pixelY + tile : topBottom) + margin

  const canvas = blankCanvas(width, height, PAPER)
  const placed: FigureCell[] = []
  const place = (label: string, image: RgbaImage, x: number, y: number): void => {
    drawImage(canvas, image, x, y)
    placed.push({ label, x, y, width: image.width, height: image.height })
  }
  const frame = (x: number, y: number, colour: Rgb): void => {
    fillRect(canvas, x - gap, y - gap, tile + 2 * gap, gap, colour)
    fillRect(canvas, x - gap, y + tile, tile + 2 * gap, gap, colour)
    fillRect(canvas, x - gap, y, gap, tile, colour)
    fillRect(canvas, x + tile, y, gap, tile, colour)
  }
  const names = ['A', 'B', 'C']
  slots.forEach((slot, i) => {
    const x = slotX[i] as number
    slot.exemplars.forEach((image, row) => place(`${names[i]} exemplar ${row + 1}`, image, x, exemplarY + row * (tile + gap)))
    place(`mean ${names[i]}`, slot.meanImage, x, meanY)
    frame(x, meanY, INK)
  })
  const glyphs = ['minus', 'plus', 'equals'] as const
  glyphs.forEach((glyph, i) => drawOperator(canvas, glyph, (opX[i] as number) + opWidth / 2, meanY + tile / 2, tile))

  for (let cell = 0; cell < cells; cell++) {
    const x = fanX + (cell % fanColumns) * (tile + gap)
    const y = fanY + Math.floor(cell / fanColumns) * (tile + gap)
    if (cell === centre) {
      place('result', result.result.image, x, y)
      frame(x, y, RESULT_FRAME)
    } else {
      const n = cell < centre ? cell : cell - 1
      place(`neighbour ${n + 1}`, fanImages[n] as RgbaImage, x, y)
    }
  }

  if (pixelSpace) {
    fillRect(canvas, margin, topBottom + separation, width - 2 * margin, Math.max(1, Math.round(gap / 2)), RULE)
    slots.forEach((slot, i) => place(`pixel mean ${names[i]}`, slot.pixelMean, slotX[i] as number, pixelY))
    glyphs.forEach((glyph, i) => drawOperator(canvas, glyph, (opX[i] as number) + opWidth / 2, pixelY + tile / 2, tile))
    place('pixel result', result.pixelResult, fanX + (centre % fanColumns) * (tile + gap), pixelY)
  }
  return { image: canvas, cells: placed }
}

/** − + = drawn with bars (no fonts needed), centred at (cx, cy). */
function drawOperator(canvas: RgbaImage, glyph: 'minus' | 'plus' | 'equals', cx: number, cy: number, tile: number): void {
  const size = Math.max(3, Math.round(tile * 0.4))
  const bar = Math.max(1, Math.round(tile / 12))
  if (glyph === 'equals') {
    fillRect(canvas, cx - size / 2, cy - bar * 1.5, size, bar, INK)
    fillRect(canvas, cx - size / 2, cy + bar * 0.5, size, bar, INK)
    return
  }
  fillRect(canvas, cx - size / 2, cy - bar / 2, size, bar, INK)
  if (glyph === 'plus') fillRect(canvas, cx - bar / 2, cy - size / 2, bar, size, INK)
}
