import { isNetpbm } from './decode-netpbm'

/** The formats we import. sharp decodes all but BMP and Netpbm, which `decode-bmp` and `decode-netpbm` handle. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'bmp' | 'netpbm'

export type Sniffed = { kind: 'image'; format: ImageFormat } | { kind: 'other'; reason: string }

export const FORMAT_NAMES: Record<ImageFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  tiff: 'TIFF',
  bmp: 'BMP',
  netpbm: 'PGM/PPM/PBM'
}

/**
 * Decides what a file is from its first bytes, never from its name: a `.png` may hold anything. Only the
 * formats above are handed to a decoder, so libvips never sees formats we did not mean to accept (SVG,
 * PDF, …) however the file is named.
 */
export function sniffImage(bytes: Uint8Array): Sniffed {
  const starts = (sig: readonly number[], at = 0): boolean => bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b)
  const ascii = (at: number, text: string): boolean =>
    starts(
      Array.from({ length: text.length }, (_, i) => text.charCodeAt(i)),
      at
    )

  if (starts([0xff, 0xd8, 0xff])) return image('jpeg')
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return image('png')
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return image('gif')
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return image('webp')
  // Classic TIFF (42) and BigTIFF (43), both byte orders.
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return image('tiff')
  if (starts([0x49, 0x49, 0x2b, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2b])) return image('tiff')
  if (ascii(0, 'BM') && bytes.length >= 26) return image('bmp')
  // Before the text check: plain (ASCII) PGM/PPM/PBM files are text.
  if (isNetpbm(bytes)) return image('netpbm')
  if (ascii(0, 'P7') && isSpaceAt(bytes, 2)) return unsupported('PAM')
  if ((ascii(0, 'PF') || ascii(0, 'Pf')) && isSpaceAt(bytes, 2)) return unsupported('PFM')

  if (ascii(4, 'ftyp')) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12))
    if (/^(heic|heix|hevc|heim|heis|mif1|msf1)/.test(brand)) return unsupported('HEIC')
    if (/^avi[fs]/.test(brand)) return unsupported('AVIF')
    return other('not an image (video or other ISO media file)')
  }
  if (starts([0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20]) || starts([0xff, 0x0a])) return unsupported('JPEG XL')
  if (ascii(0, '8BPS')) return unsupported('Photoshop PSD')
  if (starts([0x00, 0x00, 0x01, 0x00])) return unsupported('ICO')
  if (ascii(0, '%PDF')) return other('not an image (PDF document)')
  if (starts([0x50, 0x4b, 0x03, 0x04])) return other('not an image (ZIP archive or office document)')
  if (starts([0x1f, 0x8b])) return other('not an image (gzip archive)')

  if (looksLikeText(bytes)) {
    const head = new TextDecoder().decode(bytes.subarray(0, 1024)).trimStart().toLowerCase()
    if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return unsupported('SVG')
    return other('not an image (text file)')
  }
  return other('not an image (unrecognised content)')
}

function isSpaceAt(bytes: Uint8Array, at: number): boolean {
  return [0x20, 0x09, 0x0a, 0x0d].includes(bytes[at] ?? 0)
}

function image(format: ImageFormat): Sniffed {
  return { kind: 'image', format }
}

function unsupported(name: string): Sniffed {
  return { kind: 'other', reason: `unsupported image format (${name})` }
}

function other(reason: string): Sniffed {
  return { kind: 'other', reason }
}

/** No NUL bytes and almost only printable characters in the first KiB (UTF-8 multibyte counts as printable). */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 1024)
  let odd = 0
  for (const b of head) {
    if (b === 0) return false
    const printable = b >= 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0c
    if (!printable) odd += 1
  }
  return odd <= head.length * 0.05
}
