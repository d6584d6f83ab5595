import { describe, expect, it } from 'vitest'
import { BmpError, decodeBmp, readBmpHeader } from './decode-bmp'
import { encodeBmp } from './test-support'

/** 3×2 RGB pixels: odd width, so every 24-bit row carries padding. */
const RGB_3x2 = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90])

function expectBmpError(bytes: Uint8Array, problem: 'unsupported' | 'corrupt', pattern: RegExp): void {
  let caught: unknown
  try {
    decodeBmp(bytes)
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(BmpError)
  expect((caught as BmpError).problem).toBe(problem)
  expect((caught as BmpError).message).toMatch(pattern)
}

describe('decodeBmp', () => {
  it('decodes a bottom-up 24-bit BMP with padded rows, top row first', () => {
    const decoded = decodeBmp(encodeBmp(3, 2, { bits: 24, rgb: RGB_3x2 }))
    expect(decoded).toMatchObject({ width: 3, height: 2, channels: 3 })
    expect([...decoded.data]).toEqual([...RGB_3x2])
  })

  it('decodes an 8-bit palette BMP', () => {
    const palette = Uint8Array.from([0, 0, 0, 255, 255, 255, 200, 100, 50])
    const decoded = decodeBmp(encodeBmp(2, 2, { bits: 8, indices: Uint8Array.from([2, 1, 0, 2]), palette }))
    expect([...decoded.data]).toEqual([200, 100, 50, 255, 255, 255, 0, 0, 0, 200, 100, 50])
  })

  it('keeps alpha from a V4 header with an alpha mask, and treats an all-zero alpha channel as opaque', () => {
    const rgba = Uint8Array.from([255, 0, 0, 128, 0, 0, 255, 0])
    const withAlpha = decodeBmp(encodeBmp(2, 1, { bits: 32, rgba }))
    expect(withAlpha.channels).toBe(4)
    expect([...withAlpha.data]).toEqual([...rgba])
    const zeroAlpha = decodeBmp(encodeBmp(1, 1, { bits: 32, rgba: Uint8Array.from([1, 2, 3, 0]) }))
    expect([...zeroAlpha.data]).toEqual([1, 2, 3, 255])
  })

  it('decodes top-down rows (negative height)', () => {
    const bytes = encodeBmp(3, 2, { bits: 24, rgb: RGB_3x2 })
    bytes.writeInt32LE(-2, 22)
    const decoded = decodeBmp(bytes)
    // The rows written bottom-up are now read top-down, so they come out swapped.
    expect([...decoded.data.subarray(0, 9)]).toEqual([...RGB_3x2.subarray(9)])
  })

  it('reports the size from the header without decoding, for the pixel limit', () => {
    const header = readBmpHeader(encodeBmp(3, 2, { bits: 24, rgb: RGB_3x2 }))
    expect(header).toMatchObject({ width: 3, height: 2, bitCount: 24 })
  })

  it('refuses a truncated file before reading past its end', () => {
    const bytes = encodeBmp(3, 2, { bits: 24, rgb: RGB_3x2 })
    expectBmpError(bytes.subarray(0, bytes.length - 8), 'corrupt', /needs \d+ bytes but the file has \d+/)
  })

  it('refuses RLE compression as an unsupported variant', () => {
    const bytes = encodeBmp(2, 2, { bits: 8, indices: new Uint8Array(4), palette: new Uint8Array(3) })
    bytes.writeUInt32LE(1, 30)
    expectBmpError(bytes, 'unsupported', /RLE8/)
  })

  it('refuses a pixel that points past the palette', () => {
    const bytes = encodeBmp(2, 1, { bits: 8, indices: Uint8Array.from([0, 5]), palette: new Uint8Array(6) })
    expectBmpError(bytes, 'corrupt', /uses colour 5 but the palette has 2/)
  })

  it('refuses impossible headers', () => {
    const bytes = encodeBmp(3, 2, { bits: 24, rgb: RGB_3x2 })
    const zeroWidth = Buffer.from(bytes)
    zeroWidth.writeInt32LE(0, 18)
    expectBmpError(zeroWidth, 'corrupt', /bad dimensions/)
    const badDepth = Buffer.from(bytes)
    badDepth.writeUInt16LE(7, 28)
    expectBmpError(badDepth, 'corrupt', /bit depth 7/)
    expectBmpError(bytes.subarray(0, 20), 'corrupt', /too short/)
  })
})
