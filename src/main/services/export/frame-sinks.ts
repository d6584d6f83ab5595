import * as fs from 'node:fs'
import { StudioError } from '../../../shared/api/errors'
import type { VideoFormat } from '../../../shared/api/export'
import { FORMAT_FACTS, type FrameGeometry, encodeArgs, gifEncodeArgs, gifPaletteArgs } from './encoder-args'
import { type Ffmpeg, type FfmpegRun, runFfmpeg } from './ffmpeg-process'
import type { JobContext } from '../jobs'
import type { PendingOutput } from './output-path'

/** Where rendered frames go, one raw RGBA frame at a time. */
export interface FrameSink {
  /** The ffmpeg commands it runs, for the sidecar. */
  readonly commands: string[][]
  write(frame: Uint8Array): Promise<void>
  /** Every frame is written: finish encoding. `onEncoded` reports a second pass (0..1) where there is one. */
  finish(onEncoded: (fraction: number) => void): Promise<void>
  /** Stops everything at once; the caller then discards the output. */
  abort(): void
}

export function openFrameSink(ffmpeg: Ffmpeg, format: VideoFormat, geometry: FrameGeometry, output: PendingOutput, frames: number): FrameSink {
  return format === 'gif' ? gifSink(ffmpeg, geometry, output, frames) : streamSink(ffmpeg, format, geometry, output, frames)
}

/** MP4, WebM and PNG frames: frames stream into one ffmpeg that encodes as they arrive. */
function streamSink(ffmpeg: Ffmpeg, format: Exclude<VideoFormat, 'gif'>, geometry: FrameGeometry, output: PendingOutput, frames: number): FrameSink {
  const args = encodeArgs(format, geometry, output.temp, frameDigits(frames))
  const run = runFfmpeg(ffmpeg, args, { what: FORMAT_FACTS[format].label, stdin: true })
  return {
    commands: [args],
    write: (frame) => run.write(frame),
    finish: () => run.finish(),
    abort: () => run.kill()
  }
}

/**
 * GIF: frames stream into pass 1 (the palette) and, at the same time, into a spool file of raw frames at the
 * generator's size (small: a 32 px frame is 4 KiB), which pass 2 reads to map them onto the palette.
 */
function gifSink(ffmpeg: Ffmpeg, geometry: FrameGeometry, output: PendingOutput, frames: number): FrameSink {
  const palette = output.scratch('palette.png')
  const spool = output.scratch('frames.rgba')
  const paletteArgs = gifPaletteArgs(geometry, palette)
  const encodeArgsList = gifEncodeArgs(geometry, spool, palette, output.temp)
  const paletteRun = runFfmpeg(ffmpeg, paletteArgs, { what: 'the GIF palette', stdin: true })
  const spoolFile = fs.createWriteStream(spool)
  const spoolFailed = new Promise<never>((_, reject) => spoolFile.once('error', reject))
  spoolFailed.catch(() => undefined)
  let encodeRun: FfmpegRun | null = null
  return {
    commands: [paletteArgs, encodeArgsList],
    async write(frame) {
      const spooled = spoolFile.write(frame) ? Promise.resolve() : Promise.race([new Promise<void>((resolve) => spoolFile.once('drain', resolve)), spoolFailed])
      await Promise.all([paletteRun.write(frame), spooled])
    },
    async finish(onEncoded) {
      await Promise.race([new Promise<void>((resolve) => spoolFile.end(resolve)), spoolFailed])
      await paletteRun.finish()
      encodeRun = runFfmpeg(ffmpeg, encodeArgsList, { what: FORMAT_FACTS.gif.label, stdin: false, onFrames: (n) => onEncoded(Math.min(1, n / frames)) })
      await encodeRun.finish()
      await Promise.all([fs.promises.rm(spool, { force: true }), fs.promises.rm(palette, { force: true })])
    },
    abort() {
      paletteRun.kill()
      encodeRun?.kill()
      spoolFile.destroy()
    }
  }
}

/** Digits in frame file names: frame-0000.png … (more when there are more than 10 000 frames). */
export function frameDigits(frames: number): number {
  return Math.max(4, String(frames - 1).length)
}

/** What a video export streams: `frames` frames of `geometry` into `output`, as `format`. */
export interface VideoJob<T> {
  ffmpeg: Ffmpeg
  format: VideoFormat
  geometry: FrameGeometry
  output: PendingOutput
  frames: number
  /** Writes every frame into the sink, reporting progress up to `share` of the job. */
  stream(sink: FrameSink, share: number): Promise<void>
  /** Everything is encoded: put the output (and its record) in place. */
  commit(commands: string[][]): Promise<T>
}

/**
 * A video export's life as a job, the same for walks and timelapses: open the sink, stream, finish (GIF's
 * second pass has its own progress), commit. Cancel kills ffmpeg at once, even while it is finishing, and
 * then, as on any failure, the output is discarded: nothing is ever left under the chosen name.
 */
export async function encodeVideo<T>(ctx: JobContext, job: VideoJob<T>): Promise<T> {
  let sink: FrameSink | null = null
  const stop = (): void => sink?.abort()
  ctx.signal.addEventListener('abort', stop, { once: true })
  const label = FORMAT_FACTS[job.format].label
  try {
    sink = openFrameSink(job.ffmpeg, job.format, job.geometry, job.output, job.frames)
    const streamed = job.format === 'gif' ? 0.8 : 0.97
    await job.stream(sink, streamed)
    ctx.report(streamed, `Finishing ${label}…`, null)
    await sink.finish((fraction) => ctx.report(streamed + (1 - streamed) * fraction * 0.99, `Encoding ${label} with its palette…`, null))
    if (ctx.signal.aborted) throw new StudioError('cancelled', 'Cancelled.')
    return await job.commit(sink.commands)
  } catch (err) {
    sink?.abort()
    // A temporary that cannot be removed is hidden and never under the chosen name; the first error is the news.
    await job.output.discard().catch(() => undefined)
    if (ctx.signal.aborted) throw new StudioError('cancelled', 'Cancelled.')
    throw err
  } finally {
    ctx.signal.removeEventListener('abort', stop)
  }
}
