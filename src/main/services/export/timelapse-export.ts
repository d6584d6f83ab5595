import * as path from 'node:path'
import sharp from 'sharp'
import type { z } from 'zod'
import type { ExportTimelapseParams, ExportedTimelapse } from '../../../shared/api/export'
import { StudioError } from '../../../shared/api/errors'
import type { RgbaImage } from '../../../shared/api/image'
import type { MetricsLine, RunRecord } from '../../../shared/formats/run'
import type { JobContext } from '../jobs'
import type { RunStore } from '../run-store'
import { FORMAT_FACTS, type FrameGeometry } from './encoder-args'
import { exportRecord } from './export-record'
import { type Ffmpeg, locateFfmpeg } from './ffmpeg-process'
import { type FrameSink, encodeVideo } from './frame-sinks'
import { PendingOutput, recordPath, resolveOutPath, videoOutPath } from './output-path'
import { type LossSeries, LossStrip, type TimelapseLayout, captionText, composeFrame, planLayout } from './timelapse-frame'
import { MAX_FRAMES } from './walk-timeline'

type Params = z.output<typeof ExportTimelapseParams>

export interface TimelapseExportDeps {
  runs: RunStore
  exportsDir: string
}

/** The width a frame is enlarged to by default: a whole number of times, to about this many pixels. */
const DEFAULT_WIDTH = 540
const MAX_SIDE = 4096

/**
 * A run's fixed-noise sample grids as a video: each grid (a PNG in the run folder) is decoded, captioned with
 * its step and epoch, given the loss strip, and streamed as raw RGBA into the same frame sinks a walk export
 * uses; the last frame is repeated for the hold. The grids and steps are fixed when the export is prepared,
 * so a run that is still training exports what it has at that moment.
 */
export class TimelapseExport {
  private constructor(
    private readonly params: Params,
    private readonly deps: TimelapseExportDeps,
    private readonly ffmpeg: Ffmpeg,
    private readonly run: RunRecord,
    private readonly steps: number[],
    private readonly epochs: (number | null)[],
    private readonly layout: TimelapseLayout,
    private readonly strip: LossStrip | null,
    private readonly gridSize: { width: number; height: number },
    private readonly geometry: FrameGeometry,
    private readonly holdFrames: number,
    readonly output: PendingOutput
  ) {}

  /** Checks everything that can be checked before any work starts, so mistakes come back at once. */
  static async prepare(params: Params, deps: TimelapseExportDeps): Promise<TimelapseExport> {
    const file = videoOutPath(resolveOutPath(params.out, deps.exportsDir), params.format)
    const ffmpeg = locateFfmpeg()
    const run = await deps.runs.read(params.run.id)
    const steps = chooseSteps(run, await deps.runs.sampleSteps(run.id), params)
    const first = steps[0] as number
    const last = steps[steps.length - 1] as number
    const holdFrames = Math.round(params.hold * params.fps)
    if (steps.length + holdFrames > MAX_FRAMES) {
      throw new StudioError(
        'bad_request',
        `That timelapse would have ${steps.length + holdFrames} frames; an export may have at most ${MAX_FRAMES}. Choose a range of steps with fromStep/toStep.`
      )
    }
    // Every metrics line, not a thinned set: thinning depends on how long the run has trained since, and a
    // record rendered again must draw the same curve.
    const metrics = await deps.runs.metrics(run.id, Number.MAX_SAFE_INTEGER)
    const epochs = steps.map((step) => epochAt(metrics, step))
    const shown = metrics.filter((line) => line.step >= first && line.step <= last)
    const losses = params.losses && last > first && shown.length >= 2
    const grid = await sharp(await deps.runs.samplePng(run.id, last)).metadata()
    const gridSize = { width: grid.width, height: grid.height }
    const longest = steps.map((step, i) => captionText(step, epochs[i] ?? null)).reduce((a, b) => (b.length > a.length ? b : a), '')
    const layout = planLayout(gridSize.width, gridSize.height, longest, losses)
    const strip = layout.strip ? new LossStrip(layout.strip, lossSeries(shown), first, last) : null
    const geometry = frameGeometry(layout, params)
    const output = await PendingOutput.prepare(file, 'file', params.overwrite, { record: true })
    return new TimelapseExport(params, deps, ffmpeg, run, steps, epochs, layout, strip, gridSize, geometry, holdFrames, output)
  }

  get title(): string {
    return `Export timelapse ${path.basename(this.output.final)}`
  }

  get frames(): number {
    return this.steps.length + this.holdFrames
  }

  execute(ctx: JobContext): Promise<ExportedTimelapse> {
    return encodeVideo(ctx, {
      ffmpeg: this.ffmpeg,
      format: this.params.format,
      geometry: this.geometry,
      output: this.output,
      frames: this.frames,
      stream: (sink, share) => this.streamFrames(sink, ctx, share),
      commit: (commands) => this.commit(commands)
    })
  }

  private async streamFrames(sink: FrameSink, ctx: JobContext, share: number): Promise<void> {
    const started = performance.now()
    let frame: RgbaImage | null = null
    for (let i = 0; i < this.steps.length; i++) {
      const step = this.steps[i] as number
      frame = composeFrame(this.layout, await this.grid(step), captionText(step, this.epochs[i] ?? null), this.strip, step)
      await sink.write(frame.data)
      if (ctx.signal.aborted) throw new StudioError('cancelled', 'Cancelled.')
      const done = i + 1
      const seconds = (performance.now() - started) / 1000
      ctx.report(
        (done / this.frames) * share,
        `Frame ${done} of ${this.frames} (step ${step.toLocaleString('en-US')})`,
        (seconds / done) * (this.frames - done)
      )
    }
    for (let i = 0; i < this.holdFrames && frame; i++) await sink.write(frame.data)
  }

  /** A sample grid as RGBA at the size of the last one (a run's grid size does not change, but a file may be odd). */
  private async grid(step: number): Promise<RgbaImage> {
    const { width, height } = this.gridSize
    const { data, info } = await sharp(await this.deps.runs.samplePng(this.run.id, step))
      .resize(width, height, { fit: 'fill', kernel: 'nearest' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
    if (info.channels !== 4) throw new StudioError('io_error', `The sample grid of step ${step} of run ${this.run.id} did not decode to RGBA.`)
    return { width, height, data: new Uint8Array(data) }
  }

  private async commit(commands: string[][]): Promise<ExportedTimelapse> {
    const { final, temp } = this.output
    const first = this.steps[0] as number
    const last = this.steps[this.steps.length - 1] as number
    const result: ExportedTimelapse = {
      file: final,
      sidecar: recordPath(final, 'file'),
      format: this.params.format,
      grids: this.steps.length,
      frames: this.frames,
      width: this.geometry.outputWidth,
      height: this.geometry.outputHeight,
      fps: this.params.fps,
      durationSeconds: this.frames / this.params.fps,
      firstStep: first,
      lastStep: last,
      losses: this.strip !== null
    }
    const facts = FORMAT_FACTS[this.params.format]
    const record = exportRecord({
      operation: 'timelapse',
      file: final,
      run: this.run,
      step: last,
      erase: null,
      // The range is pinned to the grids shown, so rendering this again gives the same frames after more training.
      request: { ...this.params, fromStep: first, toStep: last, out: final },
      // The grids' fixed z: sample i is noiseForSeed(seed, i) (see the trainer), the same at every step.
      latent: { fixedNoise: { seed: this.run.train.seed, samples: this.run.train.sampleCount } },
      output: {
        format: this.params.format,
        codec: facts.codec,
        pixelFormat: facts.pixelFormat,
        width: result.width,
        height: result.height,
        frames: result.frames,
        fps: result.fps,
        durationSeconds: result.durationSeconds,
        holdFrames: this.holdFrames,
        sampleSteps: this.steps,
        lossStrip: result.losses,
        frameSize: { width: this.layout.width, height: this.layout.height },
        gridSize: this.gridSize
      },
      encoder: { ffmpeg: this.ffmpeg.version, args: commands.map((args) => args.map((arg) => arg.split(temp).join(final)).join(' ')) }
    })
    await this.output.commit(record)
    return result
  }
}

/** The grid steps in the requested range, or a refusal that says why there is nothing to show. */
export function chooseSteps(run: RunRecord, available: number[], params: Pick<Params, 'fromStep' | 'toStep'>): number[] {
  if (available.length === 0) {
    throw new StudioError(
      'not_found',
      run.imported
        ? `"${run.name}" has no sample grids to make a timelapse of: it was imported (${run.imported.format}) as a finished model, so it has no training history here. Train it further — each sample grid becomes a frame — or save its samples as a still (dcgan-studio export samples).`
        : `"${run.name}" has no sample grids yet; the first appears when training starts.`
    )
  }
  const from = params.fromStep ?? 0
  const to = params.toStep ?? Number.MAX_SAFE_INTEGER
  if (from > to) throw new StudioError('bad_request', `The range of steps is empty: from step ${from} to step ${to}.`)
  const steps = available.filter((step) => step >= from && step <= to)
  if (steps.length === 0) {
    throw new StudioError(
      'not_found',
      `"${run.name}" has no sample grids between step ${from} and step ${params.toStep ?? 'the end'}; it has grids from step ${available[0]} to step ${available[available.length - 1]}.`
    )
  }
  return steps
}

/** The epoch a step belongs to: that of the last metrics line at or before it; null for a run without metrics. */
export function epochAt(metrics: MetricsLine[], step: number): number | null {
  if (metrics.length === 0) return null
  let lo = 0
  let hi = metrics.length - 1
  let found: MetricsLine | null = null
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const line = metrics[mid] as MetricsLine
    if (line.step <= step) {
      found = line
      lo = mid + 1
    } else hi = mid - 1
  }
  return found?.epoch ?? 0
}

function lossSeries(lines: MetricsLine[]): LossSeries {
  return { steps: lines.map((l) => l.step), d: lines.map((l) => l.dLoss), g: lines.map((l) => l.gLoss) }
}

/** The frame as drawn (the grid's own pixels) and as written: `size` wide, or enlarged a whole number of times. */
export function frameGeometry(layout: TimelapseLayout, params: Pick<Params, 'size' | 'format' | 'fps'>): FrameGeometry {
  const width = params.size ?? layout.width * Math.max(1, Math.round(DEFAULT_WIDTH / layout.width))
  const scale = width / layout.width
  // H.264 and VP9 in yuv420p store colour at half resolution, so both sides must be even.
  const even = params.format !== 'gif'
  const side = (n: number): number => (even ? n + (n % 2) : n)
  const outputWidth = side(width)
  const outputHeight = side(Math.max(1, Math.round(layout.height * scale)))
  if (outputWidth > MAX_SIDE || outputHeight > MAX_SIDE) {
    throw new StudioError('bad_request', `The frames would be ${outputWidth}×${outputHeight} pixels; the most is ${MAX_SIDE} a side. Choose a smaller size.`)
  }
  return { inputWidth: layout.width, inputHeight: layout.height, outputWidth, outputHeight, fps: params.fps, upscale: 'nearest' }
}
