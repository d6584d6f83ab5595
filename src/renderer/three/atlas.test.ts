import { describe, expect, it } from 'vitest'
import type { RgbaImage } from '../../shared/api/image'
import { packAtlas } from './atlas'

/** A w×h image whose every pixel is (tag, x, y, 255): we can tell where each texel came from. */
function tagged(tag: number, w: number, h: number): RgbaImage {
  const data = new Uint8Array(w * h * 4)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([tag, x, y, 255], (y * w + x) * 4)
  return { width: w, height: h, data }
}

function texel(atlas: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  return Array.from(atlas.data.subarray((y * atlas.width + x) * 4, (y * atlas.width + x) * 4 + 4))
}

describe('packAtlas', () => {
  it('packs 300 thumbnails into one square-ish texture, each image where its uv rectangle says', () => {
    const images = Array.from({ length: 300 }, (_, i) => tagged(i % 256, 32, 32))
    const atlas = packAtlas(images)
    expect(atlas.columns).toBe(18)
    expect(atlas.cell).toBe(34)
    expect(atlas.width).toBe(18 * 34)
    expect(atlas.height).toBe(17 * 34)
    for (const i of [0, 1, 17, 18, 299]) {
      const [u0, vTop, u1, vBottom] = atlas.uvs.subarray(i * 4, i * 4 + 4)
      const x0 = Math.round(u0! * atlas.width)
      const y0 = Math.round(vTop! * atlas.height)
      expect(Math.round(u1! * atlas.width) - x0).toBe(32)
      expect(Math.round(vBottom! * atlas.height) - y0).toBe(32)
      // The image's top-left pixel sits at the rectangle's u0/vTop corner; its top row is the smaller v.
      expect(texel(atlas, x0, y0)).toEqual([i % 256, 0, 0, 255])
      expect(texel(atlas, x0 + 31, y0 + 31)).toEqual([i % 256, 31, 31, 255])
    }
  })

  it('fills the gutter with each image’s edge pixels so filtering cannot bleed in a neighbour', () => {
    const atlas = packAtlas([tagged(7, 4, 4), tagged(9, 4, 4)], { gutter: 1 })
    // Cell 0 spans x 0..5 with the image at 1..4; cell 1 starts at x = 6.
    expect(texel(atlas, 0, 0)).toEqual([7, 0, 0, 255])
    expect(texel(atlas, 5, 5)).toEqual([7, 3, 3, 255])
    expect(texel(atlas, 6, 1)).toEqual([9, 0, 0, 255])
  })

  it('scales images down (nearest neighbour) when the grid would exceed the largest texture', () => {
    const images = Array.from({ length: 16 }, (_, i) => tagged(i, 64, 64))
    const atlas = packAtlas(images, { maxSize: 128, gutter: 1 })
    expect(atlas.width).toBeLessThanOrEqual(128)
    expect(atlas.cell).toBe(32)
    const [u0, vTop, u1] = atlas.uvs.subarray(5 * 4, 5 * 4 + 4)
    const x0 = Math.round(u0! * atlas.width)
    const y0 = Math.round(vTop! * atlas.height)
    expect(Math.round(u1! * atlas.width) - x0).toBe(30)
    expect(texel(atlas, x0, y0)).toEqual([5, 0, 0, 255])
    // The last texel of the shrunken image comes from near the source's far corner.
    const last = texel(atlas, x0 + 29, y0 + 29)
    expect(last[1]).toBeGreaterThanOrEqual(60)
  })

  it('places images of different sizes in cells as big as the largest', () => {
    const atlas = packAtlas([tagged(1, 8, 8), tagged(2, 2, 2)], { gutter: 0 })
    expect(atlas.cell).toBe(8)
    expect(atlas.uvs[6]! - atlas.uvs[4]!).toBeCloseTo(2 / atlas.width)
  })

  it('gives an empty atlas for no images and refuses an impossible one', () => {
    expect(packAtlas([]).uvs.length).toBe(0)
    expect(() =>
      packAtlas(
        Array.from({ length: 100 }, () => tagged(0, 4, 4)),
        { maxSize: 16, gutter: 1 }
      )
    ).toThrow(/Cannot pack 100 images/)
  })
})
