import type { z } from 'zod'
import { StudioError } from '../../shared/api/errors'
import type {
  ApplyConceptParams,
  ArithmeticParams,
  ArithmeticResult,
  FeatureSource,
  FeaturesParams,
  FiltersParams,
  GuidedParams,
  MapParams,
  MapResult,
  ErasureSpec,
  ModelSource,
  RandomWalkParams,
  RenderParams,
  RenderedSamples,
  RunCheckpointRef,
  WalkParams,
  WalkPointParams,
  WalkResult,
  ZSpec
} from '../../shared/api/explore'
import type { FeatureInput, FeaturesResult, FiltersResult, GuidedResult } from '../../shared/api/explore'
import type { GridParams, GridResult } from '../../shared/api/grid'
import type { RgbaImage } from '../../shared/api/image'
import type { ModelConfig } from '../../shared/formats/model'
import { applyDirection, combine, meanVector, noiseFan, randomWalk } from '../../shared/latent/arithmetic'
import { type GridCorners, latentGrid } from '../../shared/latent/grid'
import { keyframePath, pathPointAt } from '../../shared/latent/interpolate'
import { noiseForSeed } from '../../shared/latent/random'
import type { Concepts } from './concepts'
import type { Erasures } from './erasures'
import type { Datasets } from './datasets'
import type { EngineHost } from './engine-host'
import { LatestWins } from './latest-wins'
import type { RunStore } from './run-store'

type Parsed<T extends z.ZodType> = z.output<T>

/** Frames rendered per engine request: big enough to amortise, small enough to keep memory flat. */
const RENDER_CHUNK = 64

/**
 * Exploration of a trained model (paper Figs. 4, 5, 7, 8): the Node side resolves runs to checkpoints and
 * seeds to z vectors (with the model's own noise distribution), does the latent math, and asks the explorer
 * engine to render and to look inside the networks.
 */
export class Explorer {
  private readonly live = new LatestWins()

  constructor(
    private readonly engine: EngineHost,
    private readonly runs: RunStore,
    private readonly datasets: Datasets,
    private readonly concepts: Concepts,
    private readonly erasures: Erasures
  ) {}

  /** The checkpoint's models and architecture, with the reference's erasure (if any) on G. */
  async models(ref: Parsed<typeof RunCheckpointRef>): Promise<{ source: ModelSource; model: ModelConfig; step: number }> {
    const record = await this.runs.read(ref.id)
    const { erase, step: pinned } = await this.erasureOf(ref)
    const { dir, step } = await this.runs.completeCheckpoint(ref.id, pinned)
    return { source: { kind: 'checkpoint', model: record.model, dir, ...(erase ? { erase } : {}) }, model: record.model, step }
  }

  /**
   * The maps to drop and the checkpoint to use. A saved erasure belongs to the checkpoint it was fitted on —
   * another checkpoint's maps mean other things — so it pins that step, and refuses another.
   */
  private async erasureOf(ref: Parsed<typeof RunCheckpointRef>): Promise<{ erase: ErasureSpec | null; step: number | null }> {
    if (ref.erasure === null) return { erase: null, step: ref.step }
    if (typeof ref.erasure !== 'string') return { erase: ref.erasure, step: ref.step }
    const saved = await this.erasures.get(ref.erasure)
    if (saved.runId !== ref.id) {
      throw new StudioError('bad_request', `The erasure "${saved.name}" was fitted on run ${saved.runId}; it cannot be applied to run ${ref.id}.`)
    }
    if (ref.step !== null && ref.step !== saved.step) {
      throw new StudioError(
        'bad_request',
        `The erasure "${saved.name}" was fitted on checkpoint ${saved.step}; feature maps differ between checkpoints, so it cannot be applied to checkpoint ${ref.step}. Fit it again there.`
      )
    }
    return { erase: saved.erase, step: saved.step }
  }

  resolveZ(spec: Parsed<typeof import('../../shared/api/explore').ZSpec>, model: ModelConfig): Float32Array<ArrayBuffer> {
    if (spec.kind === 'seed') return noiseForSeed(spec.seed, spec.index, model.zDim, model.noise)
    if (spec.z.length !== model.zDim) {
      throw new StudioError('bad_request', `This z has ${spec.z.length} numbers, but the model takes ${model.zDim}.`)
    }
    return new Float32Array(spec.z)
  }

  /** Renders z vectors in chunks. */
  async renderVectors(source: ModelSource, vectors: Float32Array[], zDim: number): Promise<RgbaImage[]> {
    const images: RgbaImage[] = []
    for (let start = 0; start < vectors.length; start += RENDER_CHUNK) {
      const chunk = vectors.slice(start, start + RENDER_CHUNK)
      const flat = new Float32Array(chunk.length * zDim)
      chunk.forEach((v, i) => flat.set(v, i * zDim))
      const result = await this.engine.request('render', { generator: source, z: flat, count: chunk.length })
      images.push(...result.images)
    }
    return images
  }

  render(params: Parsed<typeof RenderParams>): Promise<RenderedSamples> {
    const work = async (): Promise<RenderedSamples> => {
      const started = performance.now()
      const { source, model, step } = await this.models(params.run)
      const vectors = params.z.map((spec) => this.resolveZ(spec, model))
      const images = await this.renderVectors(source, vectors, model.zDim)
      return { samples: vectors.map((z, i) => ({ z, image: images[i] as RgbaImage })), step, millis: performance.now() - started }
    }
    return params.channel === null ? work() : this.live.run(params.channel, work)
  }

  async walk(params: Parsed<typeof WalkParams>): Promise<WalkResult> {
    const { source, model, step } = await this.models(params.run)
    const keys = params.keyframes.map((spec) => this.resolveZ(spec, model))
    const path = keyframePath(keys, { mode: params.mode, stepsPerSegment: params.stepsPerSegment, loop: params.loop, easing: params.easing })
    const images = await this.renderVectors(
      source,
      path.map((f) => f.z),
      model.zDim
    )
    return { frames: path.map((f, i) => ({ t: f.t, z: f.z as Float32Array<ArrayBuffer>, image: images[i] as RgbaImage })), step }
  }

  /** One point of a walk for a scrubber; the latest position on a channel wins. */
  walkPoint(params: Parsed<typeof WalkPointParams>): Promise<RenderedSamples> {
    return this.live.run(params.channel, async () => {
      const started = performance.now()
      const { source, model, step } = await this.models(params.run)
      const keys = params.keyframes.map((spec) => this.resolveZ(spec, model))
      const point = pathPointAt(keys, params.t, { mode: params.mode, loop: params.loop, easing: params.easing })
      const [image] = await this.renderVectors(source, [point.z], model.zDim)
      return { samples: [{ z: point.z as Float32Array<ArrayBuffer>, image: image as RgbaImage }], step, millis: performance.now() - started }
    })
  }

  /** The z of a latent grid's cells, row by row, from its four corners (the panel, the figure and the video share it). */
  gridVectors(
    grid: { corners: Parsed<typeof ZSpec>[]; columns: number; rows: number; mode: 'lerp' | 'slerp' },
    model: ModelConfig
  ): Float32Array<ArrayBuffer>[] {
    const corners = grid.corners.map((spec) => this.resolveZ(spec, model)) as unknown as GridCorners
    return latentGrid(corners, grid.columns, grid.rows, grid.mode)
  }

  /** A latent grid for the panel; the newest request on a channel wins. */
  grid(params: Parsed<typeof GridParams>): Promise<GridResult> {
    return this.live.run(params.channel, async () => {
      const started = performance.now()
      const { source, model, step } = await this.models(params.run)
      const vectors = this.gridVectors(params, model)
      const images = await this.renderVectors(source, vectors, model.zDim)
      return {
        cells: vectors.map((z, i) => ({ z, image: images[i] as RgbaImage })),
        columns: params.columns,
        rows: params.rows,
        step,
        millis: performance.now() - started
      }
    })
  }

  async randomWalk(params: Parsed<typeof RandomWalkParams>): Promise<WalkResult> {
    const { source, model, step } = await this.models(params.run)
    const start = this.resolveZ(params.start, model)
    const vectors = randomWalk(start, params.steps, params.stepSize, model.noise, params.seed)
    const images = await this.renderVectors(source, vectors, model.zDim)
    return { frames: vectors.map((z, i) => ({ t: i / params.steps, z: z as Float32Array<ArrayBuffer>, image: images[i] as RgbaImage })), step }
  }

  async arithmetic(params: Parsed<typeof ArithmeticParams>): Promise<ArithmeticResult> {
    const { source, model, step } = await this.models(params.run)
    const slots = [params.a, params.b, params.c].map((specs) => specs.map((spec) => this.resolveZ(spec, model)))
    const means = slots.map((vectors) => meanVector(vectors))
    const result = combine(means[0] as Float32Array, means[1] as Float32Array, means[2] as Float32Array)
    const fan = noiseFan(result, params.neighbours, params.noise, params.seed)
    // One render for everything: exemplars, the three means, the result and its neighbours.
    const all = [...slots.flat(), ...means, result, ...fan]
    const images = await this.renderVectors(source, all, model.zDim)
    let at = 0
    const take = (n: number): RgbaImage[] => images.slice(at, (at += n))
    const exemplarImages = slots.map((vectors) => take(vectors.length))
    const meanImages = take(3)
    const [resultImage] = take(1)
    const fanImages = take(fan.length)
    const pixelMeans = exemplarImages.map((group) => pixelMean(group))
    const slot = (i: number) => ({
      exemplars: exemplarImages[i] as RgbaImage[],
      mean: means[i] as Float32Array<ArrayBuffer>,
      meanImage: meanImages[i] as RgbaImage,
      pixelMean: pixelMeans[i] as RgbaImage
    })
    return {
      a: slot(0),
      b: slot(1),
      c: slot(2),
      result: { z: result as Float32Array<ArrayBuffer>, image: resultImage as RgbaImage },
      neighbours: fan.map((z, i) => ({ z: z as Float32Array<ArrayBuffer>, image: fanImages[i] as RgbaImage })),
      pixelResult: pixelCombine(pixelMeans[0] as RgbaImage, pixelMeans[1] as RgbaImage, pixelMeans[2] as RgbaImage),
      step
    }
  }

  async features(params: Parsed<typeof FeaturesParams>): Promise<FeaturesResult & { step: number }> {
    const { source, model, step } = await this.models(params.run)
    const input = await this.featureInput(params.input, model)
    if (params.net === 'G' && input.kind !== 'z')
      throw new StudioError('bad_request', "G's features start from a z: pick a generated sample, not a dataset image.")
    const result = await this.engine.request('features', {
      models: source,
      net: params.net,
      input,
      layer: params.layer,
      maxMapsPerLayer: params.maxMapsPerLayer
    })
    return { ...result, step }
  }

  async filters(params: Parsed<typeof FiltersParams>): Promise<FiltersResult & { step: number }> {
    const { source, step } = await this.models(params.run)
    return { ...(await this.engine.request('filters', { models: source })), step }
  }

  async guided(params: Parsed<typeof GuidedParams>): Promise<GuidedResult & { step: number }> {
    const { source, model, step } = await this.models(params.run)
    const input = await this.featureInput(params.input, model)
    const result = await this.engine.request('guided', { models: source, input, layer: params.layer, channel: params.channel, randomSeed: params.randomSeed })
    return { ...result, step }
  }

  async map(params: Parsed<typeof MapParams>): Promise<MapResult> {
    const { source, model, step } = await this.models(params.run)
    const flat = new Float32Array(params.count * model.zDim)
    for (let i = 0; i < params.count; i++) flat.set(noiseForSeed(params.seed, i, model.zDim, model.noise), i * model.zDim)
    const embedded = await this.engine.request('embed', {
      models: source,
      z: flat,
      count: params.count,
      projection: params.projection,
      thumbSize: Math.min(32, model.imageSize)
    })
    return { ...embedded, seed: params.seed, z: flat, zDim: model.zDim, step }
  }

  async applyConcept(params: Parsed<typeof ApplyConceptParams>): Promise<RenderedSamples> {
    const started = performance.now()
    const { source, model, step } = await this.models(params.run)
    const concept = await this.concepts.get(params.conceptId)
    if (concept.zDim !== model.zDim)
      throw new StudioError('bad_request', `The concept "${concept.name}" has ${concept.zDim} dimensions; this model's z has ${model.zDim}.`)
    const base = this.resolveZ(params.z, model)
    const direction = new Float32Array(concept.vector)
    // A point concept is applied as the direction from the sample towards it.
    const towards = concept.kind === 'point' ? direction.map((v, i) => v - (base[i] as number)) : direction
    const vectors = params.strengths.map((s) => applyDirection(base, towards, s))
    const images = await this.renderVectors(source, vectors, model.zDim)
    return { samples: vectors.map((z, i) => ({ z: z as Float32Array<ArrayBuffer>, image: images[i] as RgbaImage })), step, millis: performance.now() - started }
  }

  private async featureInput(input: Parsed<typeof FeatureSource>, model: ModelConfig): Promise<FeatureInput> {
    if (input.kind === 'sample') return { kind: 'z', z: this.resolveZ(input.z, model) }
    const manifest = await this.datasets.get(input.datasetId)
    if (manifest.size !== model.imageSize || manifest.channels !== model.channels) {
      throw new StudioError(
        'bad_request',
        `The dataset "${manifest.name}" holds ${manifest.size}px ${manifest.channels === 1 ? 'grayscale' : 'RGB'} images; this model sees ${model.imageSize}px ${model.channels === 1 ? 'grayscale' : 'RGB'} images.`
      )
    }
    const preview = await this.datasets.preview(input.datasetId, input.index, 1)
    const image = preview.images[0]
    if (!image) throw new StudioError('not_found', `The dataset "${manifest.name}" has no image ${input.index} (it holds ${manifest.count}).`)
    return { kind: 'image', image }
  }
}

export type ZSpecParsed = Parsed<typeof ZSpec>

function pixelMean(images: RgbaImage[]): RgbaImage {
  const first = images[0] as RgbaImage
  const sum = new Float32Array(first.data.length)
  for (const image of images) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (image.data[i] as number) / images.length
  return { width: first.width, height: first.height, data: Uint8Array.from(sum, (v) => Math.round(v)) }
}

function pixelCombine(a: RgbaImage, b: RgbaImage, c: RgbaImage): RgbaImage {
  const data = new Uint8Array(a.data.length)
  for (let i = 0; i < data.length; i++) {
    data[i] = i % 4 === 3 ? 255 : Math.min(255, Math.max(0, (a.data[i] as number) - (b.data[i] as number) + (c.data[i] as number)))
  }
  return { width: a.width, height: a.height, data }
}
