import { describe, expect, it } from 'vitest'
import { type FaceSpec, faceAt, faceForSeed, faceLayout, renderFace, withLabels } from '.'
import { faceSpecAt } from './spec'

/** Pixel (x, y) of an RGB image as [r, g, b]. */
function pixel(image: Uint8Array, size: number, x: number, y: number): [number, number, number] {
  const k = (Math.floor(y) * size + Math.floor(x)) * 3
  return [image[k] as number, image[k + 1] as number, image[k + 2] as number]
}

function luma([r, g, b]: readonly number[]): number {
  return 0.299 * (r as number) + 0.587 * (g as number) + 0.114 * (b as number)
}

/** The bounding box, in pixels, of every pixel that differs between two images. */
function changedBox(a: Uint8Array, b: Uint8Array, size: number): { x0: number; y0: number; x1: number; y1: number } | null {
  let box: { x0: number; y0: number; x1: number; y1: number } | null = null
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const k = (y * size + x) * 3
      if (a[k] === b[k] && a[k + 1] === b[k + 1] && a[k + 2] === b[k + 2]) continue
      box = box ? { x0: Math.min(box.x0, x), y0: Math.min(box.y0, y), x1: Math.max(box.x1, x), y1: Math.max(box.y1, y) } : { x0: x, y0: y, x1: x, y1: y }
    }
  }
  return box
}

/** A face with a plain backdrop, no noise and no blur, for pixel checks. */
function clean(spec: FaceSpec, changes: Partial<FaceSpec> = {}): FaceSpec {
  return { ...spec, backdrop: { ...spec.backdrop, kind: 0 }, finish: { noise: 0, blur: 0, noiseSeed: 1 }, ...changes }
}

const SIZE = 64

describe('procedural faces', () => {
  it('draws the same bytes from the same seed, and other faces from other seeds', () => {
    const a = faceForSeed(1234, SIZE).image
    expect(faceForSeed(1234, SIZE).image).toEqual(a)
    expect(faceForSeed(1235, SIZE).image).not.toEqual(a)
    expect(faceAt(7, 3, SIZE).image).toEqual(renderFace(faceSpecAt(7, 3), SIZE))
  })

  it('draws at 32, 64 and 128 px, the same face at every size', () => {
    const spec = clean(faceSpecAt(5, 0))
    const images = new Map([32, 64, 128].map((size) => [size, renderFace(spec, size)]))
    for (const [size, image] of images) expect(image.length).toBe(size * size * 3)
    // Halving a size by averaging 2×2 blocks gives (almost) the smaller drawing: same geometry, same colours.
    for (const [big, small] of [
      [64, 32],
      [128, 64]
    ] as const) {
      const large = images.get(big) as Uint8Array
      const target = images.get(small) as Uint8Array
      let error = 0
      for (let y = 0; y < small; y++) {
        for (let x = 0; x < small; x++) {
          for (let c = 0; c < 3; c++) {
            const at = (dx: number, dy: number): number => large[((2 * y + dy) * big + 2 * x + dx) * 3 + c] as number
            error += Math.abs((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4 - (target[(y * small + x) * 3 + c] as number))
          }
        }
      }
      expect(error / (small * small * 3)).toBeLessThan(3)
    }
  })

  it('refuses sizes it cannot draw', () => {
    const spec = faceSpecAt(1, 0)
    for (const size of [4, 300, 32.5]) expect(() => renderFace(spec, size)).toThrow(/8–256 px/)
  })

  it('a smile changes the mouth and nothing else, and shows teeth', () => {
    for (let i = 0; i < 6; i++) {
      const spec = clean(faceSpecAt(11, i))
      const smiling = renderFace(withLabels(spec, { smiling: true }), SIZE)
      const neutral = renderFace(withLabels(spec, { smiling: false }), SIZE)
      const changed = changedBox(smiling, neutral, SIZE)
      const mouth = faceLayout(withLabels(spec, { smiling: true })).mouth
      expect(changed).not.toBeNull()
      expect(changed?.x0).toBeGreaterThanOrEqual(Math.floor(mouth.x0 * SIZE) - 1)
      expect(changed?.x1).toBeLessThanOrEqual(Math.ceil(mouth.x1 * SIZE) + 1)
      expect(changed?.y0).toBeGreaterThanOrEqual(Math.floor(mouth.y0 * SIZE) - 1)
      expect(changed?.y1).toBeLessThanOrEqual(Math.ceil(mouth.y1 * SIZE) + 1)
      const bright = (image: Uint8Array): number => countIn(image, mouth, (p) => Math.min(...p) > 190)
      expect(bright(smiling)).toBeGreaterThan(bright(neutral) + 2)
    }
  })

  it('glasses add a dark frame around the eyes and change nothing above or below them', () => {
    for (let i = 0; i < 6; i++) {
      const spec = clean(faceSpecAt(12, i), { skin: 'light' })
      const withGlasses = renderFace(withLabels(spec, { glasses: true }), SIZE)
      const without = renderFace(withLabels(spec, { glasses: false }), SIZE)
      const eyes = faceLayout(spec).eyes
      const changed = changedBox(withGlasses, without, SIZE)
      expect(changed?.y0).toBeGreaterThanOrEqual(Math.floor(eyes.y0 * SIZE) - 1)
      expect(changed?.y1).toBeLessThanOrEqual(Math.ceil(eyes.y1 * SIZE) + 1)
      const dark = (image: Uint8Array): number => countIn(image, eyes, (p) => luma(p) < 90)
      expect(dark(withGlasses)).toBeGreaterThan(dark(without) + 15)
    }
  })

  it('feminine faces have hair beside the jaw, masculine faces a beard on the chin', () => {
    for (let i = 0; i < 6; i++) {
      const base = faceSpecAt(13, i)
      const spec = clean(base, { pose: 'frontal', hair: 'black', skin: 'light', background: 'warm', beard: 2, head: { ...base.head, roll: 0 } })
      const masculine = renderFace(withLabels(spec, { masculine: true }), SIZE)
      const feminine = renderFace(withLabels(spec, { masculine: false }), SIZE)
      const { cx, cy, rx, aspect } = spec.head
      const ry = rx * aspect
      for (const side of [-1, 1]) {
        // Beside the jaw at mouth height: long hair on feminine faces, the backdrop on masculine ones.
        const at = [(cx + side * 1.06 * rx) * SIZE, (cy + 0.5 * ry) * SIZE] as const
        expect(luma(pixel(feminine, SIZE, ...at))).toBeLessThan(70)
        expect(luma(pixel(masculine, SIZE, ...at))).toBeGreaterThan(120)
      }
      const chin = [cx * SIZE, (cy + 0.88 * ry) * SIZE] as const
      expect(luma(pixel(masculine, SIZE, ...chin))).toBeLessThan(70)
      expect(luma(pixel(feminine, SIZE, ...chin))).toBeGreaterThan(150)
    }
  })

  it('turns the face towards the side its pose names', () => {
    const spec = faceSpecAt(14, 0)
    const centre = (pose: FaceSpec['pose']): number => {
      const { mouth } = faceLayout(withLabels(spec, { pose }))
      return (mouth.x0 + mouth.x1) / 2
    }
    expect(centre('left')).toBeLessThan(spec.head.cx - 0.25 * spec.head.rx)
    expect(centre('right')).toBeGreaterThan(spec.head.cx + 0.25 * spec.head.rx)
    expect(Math.abs(centre('frontal') - spec.head.cx)).toBeLessThan(0.1 * spec.head.rx)
  })
})

function countIn(image: Uint8Array, box: { x0: number; y0: number; x1: number; y1: number }, test: (p: [number, number, number]) => boolean): number {
  let count = 0
  for (let y = Math.max(0, Math.floor(box.y0 * SIZE)); y <= Math.min(SIZE - 1, Math.ceil(box.y1 * SIZE)); y++) {
    for (let x = Math.max(0, Math.floor(box.x0 * SIZE)); x <= Math.min(SIZE - 1, Math.ceil(box.x1 * SIZE)); x++) {
      if (test(pixel(image, SIZE, x, y))) count++
    }
  }
  return count
}
