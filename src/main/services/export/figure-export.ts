import sharp from 'sharp'
import * as fs from 'node:fs'
import type { z } from 'zod'
import type {
  ExportArithmeticParams,
  ExportCanvasParams,
  ExportDirectionsParams,
  ExportErasureParams,
  ExportImageParams,
  ExportRecord,
  ExportSamplesParams,
  ExportedFile,
  Upscale
} from '../../../shared/api/export'
import type { RunCheckpointRef } from '../../../shared/api/explore'
import type { ExportGridParams } from '../../../shared/api/grid'
import type { RgbaImage } from '../../../shared/api/image'
import { noiseForSeed } from '../../../shared/latent/random'
import { StudioError } from '../../../shared/api/errors'
import { applyDirection } from '../../../shared/latent/arithmetic'
import type { Directions } from '../directions'
import type { Explorer } from '../explorer'
import { gridImage } from '../image-files'
import type { RunStore } from '../run-store'
import { arithmeticFigure } from './arithmetic-figure'
import { exportRecord, sidecarPath } from './export-record'
import { gridFigure } from './grid-figure'
import { PendingOutput, pngOutPath, resolveOutPath } from './output-path'

export interface FigureDeps {
  exploration: Explorer
  directions: Pick<Directions, 'ensure'>
  runs: RunStore
  exportsDir: string
}

/** PNG exports: a grid of samples, one image, the arithmetic figure — each at a chosen scale, with a sidecar. */
export class FigureExports {
  constructor(private readonly deps: FigureDeps) {}

  async samples(params: z.output<typeof ExportSamplesParams>): Promise<ExportedFile> {
    const { source, model, step } = await this.deps.exploration.models(params.run)
    // The Samples panel's grid: sample i of grid seed `seed`.
    const vectors = Array.from({ length: params.count }, (_, i) => noiseForSeed(params.seed, i, model.zDim, model.noise) as Float32Array)
    const images = await this.deps.exploration.renderVectors(source, vectors, model.zDim)
    const columns = Math.min(params.count, params.columns ?? Math.ceil(Math.sqrt(params.count)))
    const gap = 2
    return this.write(
      'samples',
      params,
      step,
      gridImage(images, columns, gap),
      { z: vectors },
      { columns, rows: Math.ceil(params.count / columns), gapPixels: gap }
    )
  }

  async image(params: z.output<typeof ExportImageParams>): Promise<ExportedFile> {
    const { source, model, step } = await this.deps.exploration.models(params.run)
    const vector = this.deps.exploration.resolveZ(params.z, model) as Float32Array
    const [image] = await this.deps.exploration.renderVectors(source, [vector], model.zDim)
    return this.write('image', params, step, image as RgbaImage, { z: vector }, {})
  }

  async arithmetic(params: z.output<typeof ExportArithmeticParams>): Promise<ExportedFile> {
    const result = await this.deps.exploration.arithmetic(params)
    const { image, cells } = arithmeticFigure(result, params.pixelSpace)
    const scaled = cells.map((c) => ({
      label: c.label,
      x: Math.round(c.x * params.scale),
      y: Math.round(c.y * params.scale),
      width: Math.round(c.width * params.scale),
      height: Math.round(c.height * params.scale)
    }))
    const latent = { means: { a: result.a.mean, b: result.b.mean, c: result.c.mean }, result: result.result.z, neighbours: result.neighbours.map((n) => n.z) }
    return this.write('arithmetic', params, result.step, image, latent, {
      layout: 'paper Fig. 7: exemplar columns, mean images framed, result framed in its noise fan; pixel-space arithmetic below',
      cells: scaled
    })
  }

  /** Originals on top, the same samples drawn without the erasure's maps below (paper Fig. 6). */
  async erasure(params: z.output<typeof ExportErasureParams>): Promise<ExportedFile> {
    const { source, model, step } = await this.deps.exploration.models(params.run)
    const vectors = params.z.map((spec) => this.deps.exploration.resolveZ(spec, model) as Float32Array)
    const originals = await this.deps.exploration.renderVectors({ ...source, erase: undefined }, vectors, model.zDim)
    const erased = await this.deps.exploration.renderVectors(source, vectors, model.zDim)
    const gap = 2
    const image = gridImage([...originals, ...erased], vectors.length, gap)
    return this.write(
      'erasure',
      params,
      step,
      image,
      { z: vectors },
      { columns: vectors.length, rows: ['original', 'drawn without the erasure'], gapPixels: gap }
    )
  }

  /** A big canvas drawn by its job (canvas-export.ts), written like every figure. */
  canvas(params: z.output<typeof ExportCanvasParams>, step: number, image: RgbaImage, latent: unknown, layout: Record<string, unknown>): Promise<ExportedFile> {
    return this.write('canvas', params, step, image, latent, layout)
  }

  /** A row per component: the sample moved from −range σ to +range σ along it (the directions are found if need be). */
  async directions(params: z.output<typeof ExportDirectionsParams>): Promise<ExportedFile> {
    const { source, model, step } = await this.deps.exploration.models(params.run)
    const found = await this.deps.directions.ensure({ ...params.directions, run: { ...params.run, step } })
    const picked = params.components ?? found.components.map((_, i) => i)
    const missing = picked.find((i) => i >= found.components.length)
    if (missing !== undefined) {
      throw new StudioError(
        'bad_request',
        `Component ${missing + 1} was asked for, but only the top ${found.components.length} were found: choose up to ${found.components.length}.`
      )
    }
    const base = this.deps.exploration.resolveZ(params.z, model) as Float32Array
    const strengths = Array.from({ length: params.steps }, (_, i) => -params.range + (2 * params.range * i) / (params.steps - 1))
    const vectors = picked.flatMap((i) => strengths.map((s) => applyDirection(base, (found.components[i] as { vector: Float32Array }).vector, s)))
    const images = await this.deps.exploration.renderVectors(source, vectors, model.zDim)
    const gap = 2
    return this.write(
      'directions',
      params,
      step,
      gridImage(images, params.steps, gap),
      { z: base, components: picked.map((i) => ({ index: i, vector: found.components[i]?.vector, explained: found.components[i]?.explained })), strengths },
      { columns: params.steps, rows: picked.map((i) => `component ${i + 1}`), gapPixels: gap, strengthsInSigma: strengths }
    )
  }

  /** A latent grid (four corners spread by lerp or slerp), its corners framed or not. */
  async grid(params: z.output<typeof ExportGridParams>): Promise<ExportedFile> {
    const { source, model, step } = await this.deps.exploration.models(params.run)
    const corners = params.corners.map((spec) => this.deps.exploration.resolveZ(spec, model))
    const vectors = this.deps.exploration.gridVectors(params, model)
    const images = await this.deps.exploration.renderVectors(source, vectors, model.zDim)
    const { image, layout } = gridFigure(images, params.columns, params.rows, params.markCorners)
    // The corners go into the request as vectors, so the record renders the same grid whatever named them.
    const request = { ...params, corners: corners.map((z) => ({ kind: 'z' as const, z })) }
    return this.write('grid', request, step, image, { corners, cornerSpecs: params.corners, cells: vectors }, { mode: params.mode, ...layout })
  }

  private async write(
    operation: ExportRecord['operation'],
    params: { run: z.output<typeof RunCheckpointRef>; scale: number; upscale: Upscale; out: string; overwrite: boolean },
    step: number,
    image: RgbaImage,
    latent: unknown,
    layout: Record<string, unknown>
  ): Promise<ExportedFile> {
    const final = pngOutPath(resolveOutPath(params.out, this.deps.exportsDir))
    const run = await this.deps.runs.read(params.run.id)
    const erase = (await this.deps.exploration.models(params.run)).source.erase ?? null
    const png = await scaledPng(image, params.scale, params.upscale)
    const output = await PendingOutput.prepare(final, 'file', params.overwrite, { record: true })
    const record = exportRecord({
      operation,
      file: final,
      run,
      step,
      erase,
      // The checkpoint and the erasure's maps are pinned: the record re-renders the same image later.
      request: { ...params, run: { id: run.id, step, erasure: erase }, out: final },
      latent,
      output: {
        format: 'png',
        width: png.width,
        height: png.height,
        generatedSize: run.model.imageSize,
        upscale: params.upscale,
        scale: params.scale,
        ...layout
      }
    })
    try {
      await fs.promises.writeFile(output.temp, png.data)
      await output.commit(record)
    } catch (err) {
      await output.discard().catch(() => undefined)
      throw err
    }
    return { file: final, sidecar: sidecarPath(final), width: png.width, height: png.height, bytes: png.data.length }
  }
}

/** PNG of an image enlarged `scale` times: nearest keeps crisp pixels, lanczos smooths them. */
async function scaledPng(image: RgbaImage, scale: number, upscale: Upscale): Promise<{ data: Buffer; width: number; height: number }> {
  const width = Math.max(1, Math.round(image.width * scale))
  const height = Math.max(1, Math.round(image.height * scale))
  let pipeline = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 4 }
  })
  if (width !== image.width || height !== image.height)
    pipeline = pipeline.resize(width, height, { kernel: upscale === 'nearest' ? 'nearest' : 'lanczos3', fit: 'fill' })
  // Generated images are opaque: RGB keeps the files smaller and reads everywhere.
  return { data: await pipeline.removeAlpha().png().toBuffer(), width, height }
}
