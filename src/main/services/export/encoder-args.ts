import * as path from 'node:path'
import type { Upscale, VideoFormat } from '../../../shared/api/export'

/** The frames as they go into ffmpeg (raw RGBA at the generator's size) and what comes out. */
export interface FrameGeometry {
  inputWidth: number
  inputHeight: number
  outputWidth: number
  outputHeight: number
  fps: number
  upscale: Upscale
}

/** What each format is, for sidecars and messages. */
export const FORMAT_FACTS: Record<VideoFormat, { codec: string; pixelFormat: string; label: string }> = {
  mp4: { codec: 'h264', pixelFormat: 'yuv420p', label: 'the MP4' },
  webm: { codec: 'vp9', pixelFormat: 'yuv420p', label: 'the WebM' },
  gif: { codec: 'gif', pixelFormat: 'pal8', label: 'the GIF' },
  png: { codec: 'png', pixelFormat: 'rgb24', label: 'the PNG frames' }
}

/** Raw RGBA frames of a fixed size at a fixed rate, from stdin or from a spooled file. */
export function rawInput(g: FrameGeometry, source = 'pipe:0'): string[] {
  return ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${g.inputWidth}x${g.inputHeight}`, '-framerate', String(g.fps), '-i', source]
}

/** Enlarges (or shrinks) the whole frame; ffmpeg does it, so only small frames cross the pipe. */
export function scaleFilter(g: FrameGeometry, extra = ''): string {
  return `scale=${g.outputWidth}:${g.outputHeight}:flags=${g.upscale === 'nearest' ? 'neighbor' : 'lanczos'}${extra}`
}

/**
 * One-pass encodes. MP4: H.264 in yuv420p (what every player and browser decodes), BT.709 written in the
 * stream so players do not guess the colours, the index at the front so it starts playing while downloading.
 * WebM: VP9 in constant-quality mode. PNG frames: lossless RGB, numbered from 0 like `walk --frames`.
 */
export function encodeArgs(format: Exclude<VideoFormat, 'gif'>, g: FrameGeometry, output: string, frameDigits = 4): string[] {
  switch (format) {
    case 'mp4':
      return [
        ...rawInput(g),
        '-vf',
        `${scaleFilter(g, ':out_color_matrix=bt709:out_range=tv')},format=yuv420p`,
        '-c:v',
        'libx264',
        '-preset',
        'medium',
        '-crf',
        '18',
        '-pix_fmt',
        'yuv420p',
        '-colorspace',
        'bt709',
        '-color_primaries',
        'bt709',
        '-color_trc',
        'bt709',
        '-color_range',
        'tv',
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        '-y',
        output
      ]
    case 'webm':
      return [
        ...rawInput(g),
        '-vf',
        `${scaleFilter(g, ':out_color_matrix=bt709:out_range=tv')},format=yuv420p`,
        '-c:v',
        'libvpx-vp9',
        '-crf',
        '24',
        '-b:v',
        '0',
        '-deadline',
        'good',
        '-cpu-used',
        '4',
        '-row-mt',
        '1',
        '-pix_fmt',
        'yuv420p',
        '-colorspace',
        'bt709',
        '-color_primaries',
        'bt709',
        '-color_trc',
        'bt709',
        '-color_range',
        'tv',
        '-f',
        'webm',
        '-y',
        output
      ]
    case 'png':
      return [
        ...rawInput(g),
        '-vf',
        `${scaleFilter(g)},format=rgb24`,
        '-c:v',
        'png',
        '-start_number',
        '0',
        '-f',
        'image2',
        '-y',
        path.join(output, `frame-%0${frameDigits}d.png`)
      ]
  }
}

/**
 * GIF, two passes so nothing holds every frame: pass 1 reads the frames from stdin and finds the best 256
 * colours over the whole walk (palettegen); pass 2 maps the spooled frames onto that palette (paletteuse).
 * Nearest upscaling maps without dithering (dither noise inside each enlarged pixel would blur the crisp
 * look); lanczos uses error diffusion for its smooth gradients. Frames update only the rectangle that
 * changed, and the GIF loops forever.
 */
export function gifPaletteArgs(g: FrameGeometry, palette: string): string[] {
  return [...rawInput(g), '-vf', `${scaleFilter(g)},palettegen=stats_mode=full:reserve_transparent=0`, '-f', 'image2', '-c:v', 'png', '-y', palette]
}

export function gifEncodeArgs(g: FrameGeometry, spool: string, palette: string, output: string): string[] {
  const dither = g.upscale === 'nearest' ? 'none' : 'sierra2_4a'
  return [
    ...rawInput(g, spool),
    '-i',
    palette,
    '-lavfi',
    `[0:v]${scaleFilter(g)}[frames];[frames][1:v]paletteuse=dither=${dither}:diff_mode=rectangle`,
    '-f',
    'gif',
    '-loop',
    '0',
    '-y',
    output
  ]
}
