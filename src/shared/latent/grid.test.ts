import { describe, expect, it } from 'vitest'
import { cornerCells, latentGrid, snakeOrder } from './grid'
import { keyframePath } from './interpolate'
import { noiseForSeed } from './random'

const NOISE = { kind: 'uniform', low: -1, high: 1 } as const
const corners = [1, 2, 3, 4].map((seed) => noiseForSeed(seed, 0, 100, NOISE)) as [Float32Array, Float32Array, Float32Array, Float32Array]
const [tl, tr, bl, br] = corners

function walk(a: Float32Array, b: Float32Array, n: number, mode: 'lerp' | 'slerp'): Float32Array[] {
  return keyframePath([a, b], { mode, stepsPerSegment: n - 1, loop: false, easing: 'linear' }).map((f) => f.z)
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i] as number, 5)
}

describe('latent grid', () => {
  it.each(['lerp', 'slerp'] as const)('puts the corners in the corner cells exactly (%s)', (mode) => {
    const cells = latentGrid(corners, 5, 4, mode)
    expect(cells).toHaveLength(20)
    cornerCells(5, 4).forEach((cell, i) => expect(Array.from(cells[cell] as Float32Array)).toEqual(Array.from(corners[i] as Float32Array)))
  })

  it.each(['lerp', 'slerp'] as const)('has the 1-D walks between its corners as its four edges (%s)', (mode) => {
    const columns = 6
    const rows = 4
    const cells = latentGrid(corners, columns, rows, mode)
    const at = (c: number, r: number): Float32Array => cells[r * columns + c] as Float32Array
    walk(tl, tr, columns, mode).forEach((z, c) => expectClose(at(c, 0), z))
    walk(bl, br, columns, mode).forEach((z, c) => expectClose(at(c, rows - 1), z))
    walk(tl, bl, rows, mode).forEach((z, r) => expectClose(at(0, r), z))
    walk(tr, br, rows, mode).forEach((z, r) => expectClose(at(columns - 1, r), z))
  })

  it.each(['lerp', 'slerp'] as const)('mirrors when its corners are mirrored (%s)', (mode) => {
    const columns = 5
    const rows = 3
    const grid = latentGrid(corners, columns, rows, mode)
    const leftRight = latentGrid([tr, tl, br, bl], columns, rows, mode)
    const upDown = latentGrid([bl, br, tl, tr], columns, rows, mode)
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        expectClose(leftRight[r * columns + (columns - 1 - c)] as Float32Array, grid[r * columns + c] as Float32Array)
        expectClose(upDown[(rows - 1 - r) * columns + c] as Float32Array, grid[r * columns + c] as Float32Array)
      }
    }
  })

  it('is bilinear in lerp mode, so transposing the corners transposes the grid', () => {
    const grid = latentGrid(corners, 4, 3, 'lerp')
    const transposed = latentGrid([tl, bl, tr, br], 3, 4, 'lerp')
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) expectClose(transposed[c * 3 + r] as Float32Array, grid[r * 4 + c] as Float32Array)
    const middle = latentGrid(corners, 3, 3, 'lerp')[4] as Float32Array
    const mean = tl.map((v, i) => (v + (tr[i] as number) + (bl[i] as number) + (br[i] as number)) / 4)
    expectClose(middle, mean)
  })

  it('keeps slerp cells at the corners’ length where lerp shrinks them', () => {
    const length = (z: Float32Array): number => Math.hypot(...z)
    const middleSlerp = latentGrid(corners, 3, 3, 'slerp')[4] as Float32Array
    const middleLerp = latentGrid(corners, 3, 3, 'lerp')[4] as Float32Array
    const cornerLength = corners.reduce((s, z) => s + length(z), 0) / 4
    expect(length(middleSlerp) / cornerLength).toBeGreaterThan(0.9)
    expect(length(middleLerp) / cornerLength).toBeLessThan(0.65)
  })

  it('refuses grids smaller than 2 × 2', () => {
    expect(() => latentGrid(corners, 1, 4, 'lerp')).toThrow(/at least 2 columns and 2 rows/)
  })
})

describe('snake order', () => {
  it('sweeps rows alternately left to right and right to left, each step to a neighbour', () => {
    expect(snakeOrder(3, 3)).toEqual([0, 1, 2, 5, 4, 3, 6, 7, 8])
    const order = snakeOrder(5, 4)
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    for (let i = 1; i < order.length; i++) {
      const [a, b] = [order[i - 1] as number, order[i] as number]
      expect(Math.abs((a % 5) - (b % 5)) + Math.abs(Math.floor(a / 5) - Math.floor(b / 5))).toBe(1)
    }
  })
})
