import type { RgbaImage } from '../../../shared/api/image'
import type { Rgb } from './canvas'

/**
 * A 5×7 bitmap font drawn straight into RGBA, so text on exported frames never depends on the fonts a machine
 * has (a fresh server may have none). Digits, capital letters (lower case is drawn as capitals) and a few
 * marks; anything else is drawn as a blank. Each glyph is 7 rows of 5 columns, '#' for ink.
 */
const GLYPHS: Record<string, readonly string[]> = {
  '0': ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  '1': ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  '3': ['#####', '...#.', '..#..', '...#.', '....#', '#...#', '.###.'],
  '4': ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  '5': ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  '6': ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  '7': ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  '8': ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  '9': ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  B: ['####.', '#...#', '#...#', '####.', '#...#', '#...#', '####.'],
  C: ['.###.', '#...#', '#....', '#....', '#....', '#...#', '.###.'],
  D: ['###..', '#..#.', '#...#', '#...#', '#...#', '#..#.', '###..'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  F: ['#####', '#....', '#....', '####.', '#....', '#....', '#....'],
  G: ['.###.', '#...#', '#....', '#.###', '#...#', '#...#', '.####'],
  H: ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  I: ['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  J: ['..###', '...#.', '...#.', '...#.', '...#.', '#..#.', '.##..'],
  K: ['#...#', '#..#.', '#.#..', '##...', '#.#..', '#..#.', '#...#'],
  L: ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
  M: ['#...#', '##.##', '#.#.#', '#.#.#', '#...#', '#...#', '#...#'],
  N: ['#...#', '#...#', '##..#', '#.#.#', '#..##', '#...#', '#...#'],
  O: ['.###.', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  P: ['####.', '#...#', '#...#', '####.', '#....', '#....', '#....'],
  Q: ['.###.', '#...#', '#...#', '#...#', '#.#.#', '#..#.', '.##.#'],
  R: ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  U: ['#...#', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  V: ['#...#', '#...#', '#...#', '#...#', '#...#', '.#.#.', '..#..'],
  W: ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '#.#.#', '.#.#.'],
  X: ['#...#', '#...#', '.#.#.', '..#..', '.#.#.', '#...#', '#...#'],
  Y: ['#...#', '#...#', '.#.#.', '..#..', '..#..', '..#..', '..#..'],
  Z: ['#####', '....#', '...#.', '..#..', '.#...', '#....', '#####'],
  ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
  '.': ['.....', '.....', '.....', '.....', '.....', '.##..', '.##..'],
  ',': ['.....', '.....', '.....', '.....', '.##..', '..#..', '.#...'],
  ':': ['.....', '.##..', '.##..', '.....', '.##..', '.##..', '.....'],
  '·': ['.....', '.....', '.....', '.##..', '.##..', '.....', '.....'],
  '-': ['.....', '.....', '.....', '#####', '.....', '.....', '.....'],
  '/': ['....#', '....#', '...#.', '..#..', '.#...', '#....', '#....'],
  '%': ['##...', '##..#', '...#.', '..#..', '.#...', '#..##', '...##'],
  '(': ['...#.', '..#..', '.#...', '.#...', '.#...', '..#..', '...#.'],
  ')': ['.#...', '..#..', '...#.', '...#.', '...#.', '..#..', '.#...']
}

export const GLYPH_WIDTH = 5
export const GLYPH_HEIGHT = 7
/** One blank column between letters. */
const ADVANCE = GLYPH_WIDTH + 1

/** The glyph drawn for a character (capitals for lower case; a blank for anything the font lacks). */
function glyph(char: string): readonly string[] {
  return GLYPHS[char] ?? GLYPHS[char.toUpperCase()] ?? (GLYPHS[' '] as readonly string[])
}

/** Whether the font has a glyph of its own for every character of `text`. */
export function canDraw(text: string): boolean {
  return Array.from(text).every((char) => GLYPHS[char] !== undefined || GLYPHS[char.toUpperCase()] !== undefined)
}

/** Width in pixels of `text` drawn at `scale` (no trailing gap). */
export function textWidth(text: string, scale = 1): number {
  const chars = Array.from(text).length
  return chars === 0 ? 0 : (chars * ADVANCE - 1) * scale
}

export function textHeight(scale = 1): number {
  return GLYPH_HEIGHT * scale
}

/** Draws `text` with its top-left corner at (x, y), each font pixel a `scale`×`scale` square; clipped to the canvas. */
export function drawText(canvas: RgbaImage, text: string, x: number, y: number, colour: Rgb, scale = 1): void {
  const s = Math.max(1, Math.floor(scale))
  let left = Math.round(x)
  const top = Math.round(y)
  for (const char of text) {
    const rows = glyph(char)
    rows.forEach((row, r) => {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (row[c] !== '#') continue
        for (let dy = 0; dy < s; dy++) {
          const py = top + r * s + dy
          if (py < 0 || py >= canvas.height) continue
          for (let dx = 0; dx < s; dx++) {
            const px = left + c * s + dx
            if (px < 0 || px >= canvas.width) continue
            const o = (py * canvas.width + px) * 4
            canvas.data[o] = colour[0]
            canvas.data[o + 1] = colour[1]
            canvas.data[o + 2] = colour[2]
            canvas.data[o + 3] = 255
          }
        }
      }
    })
    left += ADVANCE * s
  }
}
