/**
 * A strict Netpbm decoder (PBM, PGM, PPM; plain/ASCII P1–P3 and raw/binary P4–P6), because sharp reads none
 * of them here and the classic face sets (AT&T/ORL, Yale) ship as PGM. Samples of any maxval up to 65,535
 * (two bytes, big-endian, in the binary forms) are scaled to 8 bits. Header comments are skipped. Only the
 * first image of a file holding several is read. Every size is checked against the file before anything is
 * allocated: input files are hostile.
 */

/** A file that is not a well-formed Netpbm image; the message says what is wrong, for the manifest. */
export class NetpbmError extends Error {}

export type NetpbmKind = 'PBM' | 'PGM' | 'PPM'

export interface NetpbmHeader {
  kind: NetpbmKind
  /** The raw (binary) form: P4, P5, P6. */
  binary: boolean
  width: number
  height: number
  /** 1 for PBM. */
  maxval: number
  channels: 1 | 3
  /** Where the raster starts. */
  rasterOffset: number
}

export interface DecodedNetpbm {
  width: number
  height: number
  channels: 1 | 3
  /** Top-down, 8-bit grey or RGB. */
  data: Buffer
}

/** Far beyond any real Netpbm image; keeps the size arithmetic exact. */
const MAX_SIDE = 65_535
const KINDS: Record<string, { kind: NetpbmKind; binary: boolean; channels: 1 | 3 }> = {
  '1': { kind: 'PBM', binary: false, channels: 1 },
  '2': { kind: 'PGM', binary: false, channels: 1 },
  '3': { kind: 'PPM', binary: false, channels: 3 },
  '4': { kind: 'PBM', binary: true, channels: 1 },
  '5': { kind: 'PGM', binary: true, channels: 1 },
  '6': { kind: 'PPM', binary: true, channels: 3 }
}

const isSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c

/** P1…P6 followed by whitespace or a comment: what `sniffImage` calls Netpbm. */
export function isNetpbm(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x50 && bytes[1]! >= 0x31 && bytes[1]! <= 0x36 && (isSpace(bytes[2]) || bytes[2] === 0x23)
}

/** 'PGM' for a P2 or P5 file, … (call only on bytes `isNetpbm` accepted). */
export function netpbmKind(bytes: Uint8Array): NetpbmKind {
  return KINDS[String.fromCharCode(bytes[1]!)]!.kind
}

/** Reads whitespace-separated decimal tokens, skipping `#` comments to the end of the line. */
class Tokens {
  constructor(
    private readonly bytes: Uint8Array,
    public at: number
  ) {}

  /** The next unsigned integer, or null at the end of the file. */
  next(what: string, max: number): number | null {
    const { bytes } = this
    for (;;) {
      while (this.at < bytes.length && isSpace(bytes[this.at])) this.at++
      if (bytes[this.at] !== 0x23) break
      while (this.at < bytes.length && bytes[this.at] !== 0x0a && bytes[this.at] !== 0x0d) this.at++
    }
    if (this.at >= bytes.length) return null
    let value = 0
    const start = this.at
    while (this.at < bytes.length && bytes[this.at]! >= 0x30 && bytes[this.at]! <= 0x39) {
      value = value * 10 + (bytes[this.at]! - 0x30)
      // Stop before the number grows past exact arithmetic; the caller's bound says what was wrong.
      if (value > max) corrupt(`the ${what} is more than ${max.toLocaleString('en-US')}`)
      this.at++
    }
    if (this.at === start) corrupt(`expected the ${what} but found ${describeByte(bytes[this.at]!)}`)
    if (this.at < bytes.length && !isSpace(bytes[this.at]) && bytes[this.at] !== 0x23) corrupt(`the ${what} is followed by ${describeByte(bytes[this.at]!)}`)
    return value
  }
}

export function readNetpbmHeader(bytes: Uint8Array): NetpbmHeader {
  if (!isNetpbm(bytes)) corrupt('the file does not start with a Netpbm magic number (P1 to P6)')
  const { kind, binary, channels } = KINDS[String.fromCharCode(bytes[1]!)]!
  const tokens = new Tokens(bytes, 2)
  const need = (what: string, max: number): number => {
    const value = tokens.next(what, max)
    if (value === null) corrupt(`the file ends inside its header (before the ${what})`)
    return value
  }
  const width = need('width', MAX_SIDE)
  const height = need('height', MAX_SIDE)
  if (width === 0 || height === 0) corrupt(`bad dimensions ${width}×${height}`)
  const maxval = kind === 'PBM' ? 1 : need('maxval', 65_535)
  if (maxval === 0) corrupt('the maxval is 0; it must be 1 to 65,535')
  // Exactly one whitespace character separates the header from a binary raster (the raster may start with
  // bytes that look like whitespace); a plain raster is read as more tokens.
  let rasterOffset = tokens.at
  if (binary) {
    if (!isSpace(bytes[rasterOffset])) corrupt('the file ends inside its header')
    rasterOffset += 1
  }
  return { kind, binary, width, height, maxval, channels, rasterOffset }
}

/** Decodes a Netpbm image whose header `readNetpbmHeader` accepted (call it first to check the pixel count). */
export function decodeNetpbm(bytes: Uint8Array, header: NetpbmHeader = readNetpbmHeader(bytes)): DecodedNetpbm {
  const { width, height, channels, kind, maxval } = header
  const samples = width * height * channels
  const out = Buffer.alloc(samples)
  const scale = (v: number): number => Math.round((v * 255) / maxval)
  if (kind === 'PBM') {
    // PBM's 1 is black (ink), unlike PGM's maxval.
    if (header.binary) {
      const rowBytes = Math.ceil(width / 8)
      checkLength(bytes, header, rowBytes * height)
      for (let y = 0; y < height; y++) {
        const row = header.rasterOffset + y * rowBytes
        for (let x = 0; x < width; x++) out[y * width + x] = (bytes[row + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 255
      }
    } else {
      // Plain PBM digits need no separators ("0110" is four pixels).
      let at = header.rasterOffset
      for (let i = 0; i < samples; i++) {
        while (at < bytes.length && (isSpace(bytes[at]) || bytes[at] === 0x23)) {
          if (bytes[at] === 0x23) while (at < bytes.length && bytes[at] !== 0x0a && bytes[at] !== 0x0d) at++
          else at++
        }
        if (at >= bytes.length) truncatedPlain(header, i)
        const b = bytes[at++]
        if (b !== 0x30 && b !== 0x31) corrupt(`pixel ${i} is ${describeByte(b!)}; a plain PBM raster holds only 0 and 1`)
        out[i] = b === 0x31 ? 0 : 255
      }
    }
  } else if (header.binary) {
    const wide = maxval > 255
    checkLength(bytes, header, samples * (wide ? 2 : 1))
    const at = header.rasterOffset
    for (let i = 0; i < samples; i++) {
      const v = wide ? (bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]! : bytes[at + i]!
      if (v > maxval) corrupt(`sample ${i} is ${v}, above the maxval ${maxval}`)
      out[i] = maxval === 255 ? v : scale(v)
    }
  } else {
    const tokens = new Tokens(bytes, header.rasterOffset)
    for (let i = 0; i < samples; i++) {
      const v = tokens.next(`sample ${i}`, 65_535)
      if (v === null) truncatedPlain(header, i)
      if (v > maxval) corrupt(`sample ${i} is ${v}, above the maxval ${maxval}`)
      out[i] = scale(v)
    }
  }
  return { width, height, channels, data: out }
}

function checkLength(bytes: Uint8Array, header: NetpbmHeader, needed: number): void {
  const available = bytes.length - header.rasterOffset
  if (available < needed) {
    corrupt(
      `the ${header.width}×${header.height} raster needs ${needed.toLocaleString('en-US')} bytes but the file has ${available.toLocaleString('en-US')} after its header (truncated?)`
    )
  }
}

function truncatedPlain(header: NetpbmHeader, found: number): never {
  const samples = header.width * header.height * header.channels
  corrupt(
    `the file ends after ${found.toLocaleString('en-US')} of the ${samples.toLocaleString('en-US')} samples of its ${header.width}×${header.height} raster (truncated?)`
  )
}

function describeByte(b: number): string {
  return b >= 0x21 && b <= 0x7e ? `"${String.fromCharCode(b)}"` : `byte 0x${b.toString(16).padStart(2, '0')}`
}

function corrupt(message: string): never {
  throw new NetpbmError(message)
}
