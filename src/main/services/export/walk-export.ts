import * as path from 'node:path'
import type { z } from 'zod'
import type { ExportRecord, ExportWalkParams, ExportedWalk } from '../../../shared/api/export'
import type { ModelSource } from '../../../shared/api/explore'
import { StudioError } from '../../../shared/api/errors'
import type { RgbaImage } from '../../../shared/api/image'
import type { RunRecord } from '../../../shared/formats/run'
import type { EngineHost } from '../engine-host'
import type { Explorer } from '../explorer'
import { gridImage } from '../image-files'
import type { JobContext } from '../jobs'
import type { RunStore } from '../run-store'
import { FORMAT_FACTS, type FrameGeometry } from './encoder-args'
import { exportRecord } from './export-record'
import { type Ffmpeg, locateFfmpeg } from './ffmpeg-process'
import { type FrameSink, encodeVideo, frameDigits } from './frame-sinks'
import { PendingOutput, recordPath, resolveOutPath, videoOutPath } from './output-path'
import { MAX_FRAMES, type WalkTimeline, planTimeline, pointOnWalk } from './walk-timeline'

type Params = z.output<typeof ExportWalkParams>

export interface WalkExportDeps {
  exploration: Explorer
  engine: EngineHost
  runs: RunStore
  exportsDir: string
}

/**
 * What a walk made from something else records instead of the bare walk (a latent grid's sweep): its own
 * operation and request, so that rendering the record again goes through the same derivation.
 */
export interface WalkRecipe {
  operation: ExportRecord['operation']
  request: Record<string, unknown>
  latent: Record<string, unknown>
  output: Record<string, unknown>
}

/** z vectors per engine request: enough to keep the engine busy, few enough that memory stays flat. */
const RENDER_BATCH = 64
/** The most pixels a side of an exported frame may have. */
const MAX_SIDE = 4096

/**
 * One walk export: frames are rendered in batches by the explorer engine and streamed as raw RGBA into ffmpeg
 * (the next batch renders while the current one is written), so no more than two batches of small frames are
 * ever held here. ffmpeg enlarges them and encodes; the result is renamed into place only when complete.
 */
export class WalkExport {
  private constructor(
    private readonly params: Params,
    private readonly deps: WalkExportDeps,
    private readonly ffmpeg: Ffmpeg,
    private readonly run: RunRecord,
    private readonly source: ModelSource,
    private readonly step: number,
    private readonly walks: Float32Array[][],
    private readonly timeline: WalkTimeline,
    private readonly columns: number,
    private readonly geometry: FrameGeometry,
    readonly output: PendingOutput,
    private readonly recipe: WalkRecipe | null
  ) {}

  /** Checks everything that can be checked before any work starts, so mistakes come back at once. */
  static async prepare(params: Params, deps: WalkExportDeps, recipe: WalkRecipe | null = null): Promise<WalkExport> {
    const file = videoOutPath(resolveOutPath(params.out, deps.exportsDir), params.format)
    const ffmpeg = locateFfmpeg()
    const { source, model, step } = await deps.exploration.models(params.run)
    const run = await deps.runs.read(params.run.id)
    const walks = params.walks.map((keys) => keys.map((spec) => deps.exploration.resolveZ(spec, model) as Float32Array))
    const timeline = planTimeline(
      walks.map((keys) => keys.length),
      params.timing,
      params.fps,
      params.loop
    )
    if (timeline.frames > MAX_FRAMES) {
      throw new StudioError(
        'bad_request',
        `That walk would have ${timeline.frames} frames; an export may have at most ${MAX_FRAMES}. Use fewer frames per segment or a shorter duration.`
      )
    }
    const columns = Math.min(walks.length, params.columns ?? Math.ceil(Math.sqrt(walks.length)))
    const geometry = frameGeometry(walks.length, columns, model.imageSize, params)
    const output = await PendingOutput.prepare(file, params.format === 'png' ? 'folder' : 'file', params.overwrite, { record: true })
    return new WalkExport(params, deps, ffmpeg, run, source, step, walks, timeline, columns, geometry, output, recipe)
  }

  get title(): string {
    return `Export ${this.params.format.toUpperCase()} ${path.basename(this.output.final)}`
  }

  execute(ctx: JobContext): Promise<ExportedWalk> {
    return encodeVideo(ctx, {
      ffmpeg: this.ffmpeg,
      format: this.params.format,
      geometry: this.geometry,
      output: this.output,
      frames: this.timeline.frames,
      stream: (sink, share) => this.streamFrames(sink, ctx, share),
      commit: (commands) => this.commit(commands)
    })
  }

  private async streamFrames(sink: FrameSink, ctx: JobContext, share: number): Promise<void> {
    const { frames } = this.timeline
    const batch = Math.max(1, Math.floor(RENDER_BATCH / this.walks.length))
    const started = performance.now()
    let pending: Promise<RgbaImage[]> | null = this.render(0, Math.min(frames, batch), ctx.signal)
    for (let start = 0; start < frames; start += batch) {
      const images: RgbaImage[] = await (pending as Promise<RgbaImage[]>)
      const next = start + batch
      pending = next < frames ? this.render(next, Math.min(frames, next + batch), ctx.signal) : null
      // If writing fails below, the batch rendering meanwhile is abandoned; its failure is not news.
      pending?.catch(() => undefined)
      const count = images.length / this.walks.length
      for (let i = 0; i < count; i++) {
        const tiles = images.slice(i * this.walks.length, (i + 1) * this.walks.length)
        const frame = tiles.length === 1 ? (tiles[0] as RgbaImage) : gridImage(tiles, this.columns, 1)
        await sink.write(frame.data)
      }
      if (ctx.signal.aborted) throw new StudioError('cancelled', 'Cancelled.')
      const done = start + count
      const seconds = (performance.now() - started) / 1000
      const eta = (seconds / done) * (frames - done) + (this.params.format === 'gif' ? seconds * 0.1 : 0)
      ctx.report((done / frames) * share, `Frame ${done} of ${frames}`, eta)
    }
  }

  /** Frames [from, to) of every walk, in frame-major order. */
  private async render(from: number, to: number, signal: AbortSignal): Promise<RgbaImage[]> {
    const zDim = this.source.model.zDim
    const count = (to - from) * this.walks.length
    const flat = new Float32Array(count * zDim)
    let at = 0
    for (let frame = from; frame < to; frame++) {
      for (const keys of this.walks) {
        flat.set(pointOnWalk(keys, frame, this.timeline, this.params), at * zDim)
        at++
      }
    }
    // A signal of its own per request, so the job's signal does not collect a listener per batch.
    const request = new AbortController()
    const forward = (): void => request.abort()
    signal.addEventListener('abort', forward, { once: true })
    try {
      const result = await this.deps.engine.request('render', { generator: this.source, z: flat, count }, { signal: request.signal })
      return result.images
    } finally {
      signal.removeEventListener('abort', forward)
    }
  }

  private async commit(commands: string[][]): Promise<ExportedWalk> {
    const { final, temp } = this.output
    const isFolder = this.params.format === 'png'
    const facts = FORMAT_FACTS[this.params.format]
    const result: ExportedWalk = {
      file: final,
      sidecar: recordPath(final, this.output.kind),
      format: this.params.format,
      frames: this.timeline.frames,
      width: this.geometry.outputWidth,
      height: this.geometry.outputHeight,
      fps: this.params.fps,
      durationSeconds: this.timeline.durationSeconds,
      step: this.step
    }
    const pinned = { id: this.run.id, step: this.step, erasure: this.source.erase ?? null }
    const record = exportRecord({
      operation: this.recipe?.operation ?? 'walk',
      file: final,
      run: this.run,
      step: this.step,
      erase: this.source.erase ?? null,
      // The checkpoint and the erasure's maps are pinned, so rendering this request again gives the same frames
      // even after more training, or after the saved erasure is deleted.
      request: { ...(this.recipe?.request ?? this.params), run: pinned, out: final },
      latent: { walks: this.walks, ...this.recipe?.latent },
      output: {
        format: this.params.format,
        codec: facts.codec,
        pixelFormat: facts.pixelFormat,
        width: result.width,
        height: result.height,
        frames: result.frames,
        fps: result.fps,
        durationSeconds: result.durationSeconds,
        seamlessLoop: this.params.loop,
        grid: { walks: this.walks.length, columns: this.columns, rows: Math.ceil(this.walks.length / this.columns), gapPixels: this.walks.length > 1 ? 1 : 0 },
        generatedSize: this.source.model.imageSize,
        ...this.recipe?.output,
        ...(isFolder ? { frameNames: `frame-%0${frameDigits(result.frames)}d.png`, firstFrame: 0 } : {})
      },
      encoder: { ffmpeg: this.ffmpeg.version, args: commands.map((args) => args.map((arg) => arg.split(temp).join(final)).join(' ')) }
    })
    await this.output.commit(record)
    return result
  }
}

/** The frame as streamed (the walks' images in a grid, 1 px apart) and as written (scaled to `size` per walk). */
function frameGeometry(walks: number, columns: number, imageSize: number, params: Params): FrameGeometry {
  const rows = Math.ceil(walks / columns)
  const gap = walks > 1 ? 1 : 0
  const inputWidth = columns * imageSize + (columns - 1) * gap
  const inputHeight = rows * imageSize + (rows - 1) * gap
  const scale = params.size / imageSize
  // H.264 and VP9 in yuv420p store colour at half resolution, so both sides must be even.
  const even = params.format === 'mp4' || params.format === 'webm'
  const side = (n: number): number => {
    const scaled = Math.max(1, Math.round(n * scale))
    return even ? scaled + (scaled % 2) : scaled
  }
  const outputWidth = side(inputWidth)
  const outputHeight = side(inputHeight)
  if (outputWidth > MAX_SIDE || outputHeight > MAX_SIDE) {
    throw new StudioError(
      'bad_request',
      `The frames would be ${outputWidth}×${outputHeight} pixels; the most is ${MAX_SIDE} a side. Choose a smaller size or fewer walks per row.`
    )
  }
  return { inputWidth, inputHeight, outputWidth, outputHeight, fps: params.fps, upscale: params.upscale }
}
