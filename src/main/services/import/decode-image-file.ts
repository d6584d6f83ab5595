import sharp from 'sharp'
import { BmpError, decodeBmp, readBmpHeader } from './decode-bmp'
import { decodeNetpbm, NetpbmError, netpbmKind, readNetpbmHeader } from './decode-netpbm'
import { FORMAT_NAMES, type ImageFormat } from './sniff-image'
import { squarePixels, type PixelSource, type SquareOptions } from './square-pixels'

export interface ImportLimits {
  /** Largest width × height decoded; bigger images are skipped (decompression bombs, giant scans). */
  maxPixels: number
  /** Largest file read; bigger files are skipped without being read. */
  maxFileBytes: number
}

/** Far above any photo a DCGAN needs (a 50 MP camera frame), and keeps two decodes well under 1 GiB. */
export const DEFAULT_LIMITS: ImportLimits = { maxPixels: 50_000_000, maxFileBytes: 64 * 1024 * 1024 }

/**
 * One source file's bytes (already sniffed as `format`) to packed square pixels, or the reason, in the
 * manifest's words, why the file is skipped. The pixel count is checked from the header before any decoding,
 * so a decompression bomb costs a header read, not gigabytes.
 */
export async function decodeToSquare(bytes: Buffer, format: ImageFormat, limits: ImportLimits, square: SquareOptions): Promise<Buffer | string> {
  const formatName = FORMAT_NAMES[format]
  try {
    let source: PixelSource
    let width: number
    let height: number
    if (format === 'bmp') {
      const header = readBmpHeader(bytes)
      width = header.width
      height = header.height
      if (width * height > limits.maxPixels) return overPixelLimit(width, height, limits.maxPixels)
      const decoded = decodeBmp(bytes, header)
      source = { kind: 'raw', data: decoded.data, width, height, channels: decoded.channels }
    } else if (format === 'netpbm') {
      const header = readNetpbmHeader(bytes)
      width = header.width
      height = header.height
      if (width * height > limits.maxPixels) return overPixelLimit(width, height, limits.maxPixels)
      const decoded = decodeNetpbm(bytes, header)
      source = { kind: 'raw', data: decoded.data, width, height, channels: decoded.channels }
    } else {
      // Header only, so no pixel limit is needed to read it; the limit is applied below with a better message.
      const meta = await sharp(bytes, { limitInputPixels: false }).metadata()
      if (meta.format !== format) return `truncated or corrupt ${formatName}: the decoder read it as ${meta.format}`
      width = meta.width
      height = meta.height
      if (!(width > 0 && height > 0)) return `truncated or corrupt ${formatName}: no image size in its header`
      if (width * height > limits.maxPixels) return overPixelLimit(width, height, limits.maxPixels)
      source = { kind: 'encoded', bytes }
    }
    return await squarePixels(source, { width, height }, square)
  } catch (error) {
    if (error instanceof NetpbmError) return `truncated or corrupt ${netpbmKind(bytes)}: ${error.message}`
    if (error instanceof BmpError) {
      return error.problem === 'unsupported' ? `unsupported BMP variant (${error.message})` : `truncated or corrupt BMP: ${error.message}`
    }
    const message = firstLine(error)
    if (/exceeds pixel limit/i.test(message)) return `over the pixel limit (more than ${formatCount(limits.maxPixels)} px)`
    return `truncated or corrupt ${formatName}: ${decodeFailure(bytes, format, message)}`
  }
}

/**
 * What to say about a file sharp could not decode. libvips keeps one error buffer for all threads, so with
 * two decodes at once the message can come out as the generic "Warning treated as error"; a missing end
 * marker is checked here directly so the commonest damage, a cut-off download or copy, is always named.
 */
function decodeFailure(bytes: Buffer, format: ImageFormat, message: string): string {
  if (endsEarly(bytes, format)) return 'the file ends before the image does (cut off while copying or downloading?)'
  if (/failOn/.test(message)) return 'the decoder found damaged image data'
  return message
}

function endsEarly(bytes: Buffer, format: ImageFormat): boolean {
  // Only the end of the file is looked at: some writers add bytes after the end marker, so search a little.
  const tail = bytes.subarray(Math.max(0, bytes.length - 64))
  switch (format) {
    case 'jpeg':
      return tail.indexOf(Buffer.from([0xff, 0xd9])) === -1
    case 'png':
      return tail.indexOf('IEND') === -1
    case 'gif':
      return !tail.includes(0x3b)
    case 'webp':
      return bytes.length < 8 + bytes.readUInt32LE(4)
    case 'tiff':
    case 'bmp':
    case 'netpbm':
      return false
  }
}

function overPixelLimit(width: number, height: number, max: number): string {
  return `over the pixel limit (${width}×${height} = ${formatCount(width * height)} px > ${formatCount(max)} px)`
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  const line = text.split('\n').find((l) => l.trim() !== '') ?? 'unknown error'
  return line.trim().slice(0, 300)
}
