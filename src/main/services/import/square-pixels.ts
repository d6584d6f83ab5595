import sharp from 'sharp'

export type Fit = 'crop' | 'pad'

export interface SquareOptions {
  size: number
  channels: 1 | 3
  fit: Fit
  /** Fills transparent pixels and the bars added by `fit: 'pad'`. */
  background: 'white' | 'black'
  /** Refuse to decode more pixels than this (a decompression-bomb guard; sharp enforces it too). */
  maxPixels: number
}

/** Encoded bytes sharp can read, or raw pixels we decoded ourselves (BMP). */
export type PixelSource = { kind: 'encoded'; bytes: Uint8Array } | { kind: 'raw'; data: Uint8Array; width: number; height: number; channels: 1 | 2 | 3 | 4 }

const BACKGROUNDS = { white: '#ffffff', black: '#000000' } as const

/**
 * Turns one image into `size`×`size`×`channels` uint8 pixels: EXIF orientation applied, alpha flattened onto
 * the background, any colour space (CMYK, 16-bit, grey, palette) brought to 8-bit sRGB or to grey luminance,
 * centre-cropped or padded to a square, and resized (lanczos3 when shrinking, which keeps detail without
 * aliasing; mitchell when enlarging, which rings less on the few sources smaller than the target).
 */
export async function squarePixels(source: PixelSource, sourceSide: { width: number; height: number }, o: SquareOptions): Promise<Buffer> {
  const input =
    source.kind === 'encoded'
      ? sharp(source.bytes, { limitInputPixels: o.maxPixels, autoOrient: true, failOn: 'warning', pages: 1 })
      : sharp(source.data, {
          limitInputPixels: o.maxPixels,
          raw: { width: source.width, height: source.height, channels: source.channels }
        })
  const side = o.fit === 'crop' ? Math.min(sourceSide.width, sourceSide.height) : Math.max(sourceSide.width, sourceSide.height)
  const background = BACKGROUNDS[o.background]
  let pipeline = input.flatten({ background }).resize(o.size, o.size, {
    fit: o.fit === 'crop' ? 'cover' : 'contain',
    position: 'centre',
    background,
    kernel: side > o.size ? 'lanczos3' : 'mitchell'
  })
  pipeline = o.channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb')
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
  if (info.width !== o.size || info.height !== o.size || info.channels !== o.channels || data.length !== o.size * o.size * o.channels) {
    // Would be a bug in the pipeline above, not a property of the file; fail loudly rather than pack garbage.
    throw new Error(`Internal error: image came out ${info.width}×${info.height}×${info.channels}, expected ${o.size}×${o.size}×${o.channels}`)
  }
  return data
}

/** Resizes one square raw image (IDX digits, contact-sheet cells). */
export async function resizeSquare(data: Uint8Array, from: number, channels: 1 | 3, to: number): Promise<Buffer> {
  const { data: out, info } = await sharp(data, { raw: { width: from, height: from, channels } })
    .resize(to, to, { fit: 'fill', kernel: from > to ? 'lanczos3' : 'mitchell' })
    // Without this, sharp hands back one-channel input as three channels.
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  if (info.channels !== channels || out.length !== to * to * channels) {
    throw new Error(`Internal error: resize gave ${info.width}×${info.height}×${info.channels}, expected ${to}×${to}×${channels}`)
  }
  return out
}
