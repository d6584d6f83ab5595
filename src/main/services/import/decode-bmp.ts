/**
 * A small, strict BMP decoder, because sharp (libvips) does not read BMP. It handles the uncompressed forms
 * that cameras, scanners, Paint and image libraries actually write: 1/4/8-bit palette, 16-bit (5-5-5 or
 * bit fields), 24-bit, and 32-bit (plain or bit fields, with alpha when a V4/V5 header says so). RLE and
 * embedded JPEG/PNG are refused with a clear reason rather than half-supported. Every size and offset is
 * checked against the file before anything is allocated or read: input files are hostile.
 */

export type BmpProblem = 'unsupported' | 'corrupt'

export class BmpError extends Error {
  constructor(
    readonly problem: BmpProblem,
    message: string
  ) {
    super(message)
  }
}

export interface BmpHeader {
  width: number
  height: number
  bitCount: number
  topDown: boolean
  pixelOffset: number
  stride: number
  /** Bit masks for 16/32-bit images; alpha 0 means opaque. */
  masks: { r: number; g: number; b: number; a: number } | null
  /** BGRx palette entries for ≤ 8-bit images, as RGB triples. */
  palette: Uint8Array | null
}

export interface DecodedBmp {
  width: number
  height: number
  channels: 3 | 4
  /** Top-down, RGB or RGBA. */
  data: Buffer
}

const FILE_HEADER = 14
const BI_RGB = 0
const BI_BITFIELDS = 3
const BI_ALPHABITFIELDS = 6
const COMPRESSION_NAMES: Record<number, string> = { 1: 'RLE8', 2: 'RLE4', 4: 'embedded JPEG', 5: 'embedded PNG', 11: 'CMYK' }
/** Bigger than any real BMP; keeps the row arithmetic far from overflow. */
const MAX_SIDE = 65_535

export function readBmpHeader(bytes: Uint8Array): BmpHeader {
  if (bytes.length < FILE_HEADER + 16 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) corrupt('the file is too short for a BMP header')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const pixelOffset = view.getUint32(10, true)
  const headerSize = view.getUint32(14, true)
  if (headerSize === 12) unsupported('OS/2 1.x header')
  if (![40, 52, 56, 108, 124].includes(headerSize)) unsupported(`unknown header size ${headerSize}`)
  if (bytes.length < FILE_HEADER + headerSize) corrupt('the file ends inside its header')

  const width = view.getInt32(18, true)
  const rawHeight = view.getInt32(22, true)
  const planes = view.getUint16(26, true)
  const bitCount = view.getUint16(28, true)
  const compression = view.getUint32(30, true)
  const colorsUsed = view.getUint32(46, true)
  if (planes !== 1) corrupt(`planes is ${planes}, must be 1`)
  if (width <= 0 || rawHeight === 0 || rawHeight === -0x80000000) corrupt(`bad dimensions ${width}×${rawHeight}`)
  const height = Math.abs(rawHeight)
  if (width > MAX_SIDE || height > MAX_SIDE) corrupt(`dimensions ${width}×${height} are beyond any real BMP`)
  const name = COMPRESSION_NAMES[compression]
  if (name) unsupported(`${name} compression`)
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    corrupt(`unknown compression ${compression}`)
  }
  if (![1, 4, 8, 16, 24, 32].includes(bitCount)) corrupt(`unknown bit depth ${bitCount}`)

  let masks: BmpHeader['masks'] = null
  let palette: Uint8Array | null = null
  let tableStart = FILE_HEADER + headerSize
  if (bitCount === 16 || bitCount === 32) {
    if (compression === BI_RGB) {
      masks = bitCount === 16 ? { r: 0x7c00, g: 0x03e0, b: 0x001f, a: 0 } : { r: 0xff0000, g: 0xff00, b: 0xff, a: 0 }
    } else {
      // A plain 40-byte header keeps its masks just after it; larger headers carry them inside.
      const maskCount = compression === BI_ALPHABITFIELDS ? 4 : 3
      const at = headerSize === 40 ? tableStart : FILE_HEADER + 40
      if (headerSize === 40) tableStart += maskCount * 4
      if (bytes.length < at + maskCount * 4) corrupt('the file ends inside its colour masks')
      const hasAlphaMask = maskCount === 4 || headerSize >= 56
      masks = {
        r: view.getUint32(at, true),
        g: view.getUint32(at + 4, true),
        b: view.getUint32(at + 8, true),
        a: hasAlphaMask ? view.getUint32(at + 12, true) : 0
      }
      for (const [channel, mask] of Object.entries(masks)) {
        if (mask === 0 && channel !== 'a') corrupt(`the ${channel} colour mask is empty`)
        if (mask !== 0 && !isContiguous(mask)) corrupt(`the ${channel} colour mask 0x${mask.toString(16)} is not contiguous`)
      }
    }
  } else if (compression !== BI_RGB) {
    corrupt(`bit fields on a ${bitCount}-bit image`)
  }
  if (bitCount <= 8) {
    const max = 1 << bitCount
    const entries = colorsUsed === 0 ? max : colorsUsed
    if (entries > max) corrupt(`${entries} palette entries for a ${bitCount}-bit image`)
    if (tableStart + entries * 4 > Math.min(pixelOffset, bytes.length)) corrupt('the palette runs past the pixel data')
    palette = new Uint8Array(entries * 3)
    for (let i = 0; i < entries; i++) {
      const at = tableStart + i * 4
      palette[i * 3] = bytes[at + 2]!
      palette[i * 3 + 1] = bytes[at + 1]!
      palette[i * 3 + 2] = bytes[at]!
    }
  }

  const stride = Math.floor((bitCount * width + 31) / 32) * 4
  if (pixelOffset < FILE_HEADER + headerSize) corrupt('the pixel data offset points into the header')
  // The last row's padding is often missing; its pixels must be there.
  const needed = pixelOffset + stride * (height - 1) + Math.ceil((bitCount * width) / 8)
  if (needed > bytes.length) corrupt(`the pixel data needs ${needed} bytes but the file has ${bytes.length} (truncated?)`)

  return { width, height, bitCount, topDown: rawHeight < 0, pixelOffset, stride, masks, palette }
}

/** Decodes a BMP whose header `readBmpHeader` accepted (call it first to check the pixel count). */
export function decodeBmp(bytes: Uint8Array, header: BmpHeader = readBmpHeader(bytes)): DecodedBmp {
  const { width, height, bitCount, masks, palette } = header
  const hasAlpha = masks !== null && masks.a !== 0
  const channels = hasAlpha ? 4 : 3
  const out = Buffer.alloc(width * height * channels)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const scales = masks && {
    r: maskScale(masks.r),
    g: maskScale(masks.g),
    b: maskScale(masks.b),
    a: maskScale(masks.a)
  }
  let anyAlpha = false

  for (let y = 0; y < height; y++) {
    const row = header.pixelOffset + header.stride * (header.topDown ? y : height - 1 - y)
    let o = y * width * channels
    for (let x = 0; x < width; x++, o += channels) {
      if (palette) {
        const bit = x * bitCount
        const byte = bytes[row + (bit >> 3)]!
        const index = bitCount === 8 ? byte : (byte >> (8 - bitCount - (bit & 7))) & ((1 << bitCount) - 1)
        if (index * 3 >= palette.length) corrupt(`pixel (${x}, ${y}) uses colour ${index} but the palette has ${palette.length / 3}`)
        out[o] = palette[index * 3]!
        out[o + 1] = palette[index * 3 + 1]!
        out[o + 2] = palette[index * 3 + 2]!
      } else if (bitCount === 24) {
        const at = row + x * 3
        out[o] = bytes[at + 2]!
        out[o + 1] = bytes[at + 1]!
        out[o + 2] = bytes[at]!
      } else if (scales) {
        const value = bitCount === 16 ? view.getUint16(row + x * 2, true) : view.getUint32(row + x * 4, true)
        out[o] = scales.r(value)
        out[o + 1] = scales.g(value)
        out[o + 2] = scales.b(value)
        if (hasAlpha) {
          out[o + 3] = scales.a(value)
          if (out[o + 3] !== 0) anyAlpha = true
        }
      }
    }
  }
  // Many writers declare an alpha mask and leave it all zero; showing such an image fully transparent
  // would be wrong, so an all-zero alpha channel means opaque.
  if (hasAlpha && !anyAlpha) {
    for (let i = 3; i < out.length; i += 4) out[i] = 255
  }
  return { width, height, channels, data: out }
}

function isContiguous(mask: number): boolean {
  const shifted = mask >>> ctz(mask)
  return (shifted & (shifted + 1)) === 0
}

function ctz(mask: number): number {
  let n = 0
  while (n < 32 && ((mask >>> n) & 1) === 0) n++
  return n
}

/** Extracts a masked field and scales it to 0..255. */
function maskScale(mask: number): (value: number) => number {
  if (mask === 0) return () => 255
  const shift = ctz(mask)
  const max = mask >>> shift
  return (value) => Math.round(((((value & mask) >>> 0) >>> shift) * 255) / max)
}

function corrupt(message: string): never {
  throw new BmpError('corrupt', message)
}

function unsupported(message: string): never {
  throw new BmpError('unsupported', message)
}
