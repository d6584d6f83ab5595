import * as tf from '@tensorflow/tfjs'
import type { z as zod } from 'zod'
import { type DirectionComponent, type EngineDirectionsParams, type EngineDirectionsResult, directionLayers } from '../../shared/api/directions'
import { StudioError } from '../../shared/api/errors'
import { noiseForSeed } from '../../shared/latent/random'
import { yieldAndCheck } from '../probe/cancel'
import { forwardOutput } from './forward'
import type { ModelCache, Network } from './models'
import { type PcaResult, type PcaSource, pcaOf } from './pca'

/**
 * Directions without labels, GANSpace's method (Härkönen et al. 2020): draw N z, run G up to an early layer,
 * find the top principal components of those activations, and carry each back to z by linear regression of z
 * on the component's coordinate. The activations are never gathered in one matrix (10,000 samples of a
 * 64 px G's g_relu0 are 330 MB): PCA multiplies by them chunk by chunk (pca.ts's PcaSource), keeping the
 * chunks on the backend when they fit in CACHE_BYTES and drawing them again from z on every pass otherwise.
 */

export interface DirectionsContext {
  signal?: AbortSignal
  progress?(fraction: number, message: string): void
  /** Activations kept on the backend between passes up to this many bytes (tests set 0 to draw them each pass). */
  cacheBytes?: number
}

/** Samples run through G at once. */
const CHUNK = 500
/** Activations kept on the backend between passes up to this size by default; larger layers are drawn again each pass. */
const CACHE_BYTES = 256 * 1024 * 1024
const MAX_ITERATIONS = 60
/** Share of the progress bar the first pass (drawing the samples, their mean and variance) takes. */
const FIRST_PASS = 0.1

type Params = zod.output<typeof EngineDirectionsParams>

export async function findDirections(models: ModelCache, params: Params, ctx: DirectionsContext = {}): Promise<EngineDirectionsResult> {
  const started = performance.now()
  const { zDim, noise } = params.generator.model
  const layers = directionLayers(params.generator.model)
  if (!layers.includes(params.layer)) {
    throw new StudioError('bad_request', `Directions are found on one of G's layers ${layers.join(', ')}; '${params.layer}' is not one of them.`)
  }
  // Directions are G's own: an erasure on the source would change the activations being analysed.
  const source = { ...params.generator, erase: undefined }
  return models.use(source, async (pair) => {
    const generator = await pair.network('G')
    const spec = generator.plan.find((layer) => layer.name === params.layer)
    if (!spec) throw new StudioError('bad_request', `This generator has no layer '${params.layer}'.`)
    const cols = spec.outputShape.reduce((a, b) => a * b, 1)
    const z = new Float32Array(params.samples * zDim)
    for (let i = 0; i < params.samples; i++) z.set(noiseForSeed(params.seed, i, zDim, noise), i * zDim)

    const activations = await ActivationSource.open(generator, params.layer, cols, z, params.samples, ctx)
    try {
      // The bar follows whichever is further along, the iteration budget or the convergence, and never goes back.
      let shown = 0
      const result = await pcaOf(activations, params.top, {
        maxIterations: MAX_ITERATIONS,
        tolerance: 1e-5,
        onIteration: (iteration, max, settled) => {
          shown = Math.max(shown, iteration / max, settled)
          ctx.progress?.(FIRST_PASS + (1 - FIRST_PASS) * shown, `Finding the top ${params.top} components: iteration ${iteration}`)
        }
      })
      ctx.progress?.(1, 'Carrying the components back to z…')
      return {
        layer: params.layer,
        layerShape: [...spec.outputShape],
        totalVariance: activations.totalVariance,
        components: carryBackToZ(z, zDim, params.samples, result, params.top, activations.totalVariance),
        iterations: result.iterations,
        backend: tf.getBackend(),
        millis: performance.now() - started
      }
    } finally {
      activations.dispose()
    }
  })
}

/**
 * Linear regression of z on the PCA coordinates (GANSpace's U = argmin Σ‖U·x − z‖²). The coordinates are
 * uncorrelated, so each column is its own one-variable regression: u = Σ (z − z̄)·x / Σ x². Kept as σ·u, the z
 * offset of one standard deviation along the component.
 */
function carryBackToZ(z: Float32Array, zDim: number, rows: number, pcaResult: PcaResult, k: number, total: number): DirectionComponent[] {
  const mean = new Float64Array(zDim)
  for (let i = 0; i < rows; i++) for (let d = 0; d < zDim; d++) mean[d] = mean[d]! + z[i * zDim + d]! / rows
  const components: DirectionComponent[] = []
  for (let c = 0; c < k; c++) {
    const variance = pcaResult.variances[c] ?? 0
    const u = new Float64Array(zDim)
    let squares = 0
    for (let i = 0; i < rows; i++) {
      const x = pcaResult.scores[i * k + c]!
      squares += x * x
      for (let d = 0; d < zDim; d++) u[d] = u[d]! + (z[i * zDim + d]! - mean[d]!) * x
    }
    const scale = squares > 0 ? Math.sqrt(variance) / squares : 0
    components.push({
      vector: Float32Array.from(u, (v) => v * scale),
      variance,
      explained: total > 0 ? Math.min(1, variance / total) : 0
    })
  }
  return components
}

/** G's activations at one layer for the given z, as a centred rows × cols matrix PCA can multiply by. */
class ActivationSource implements PcaSource {
  private constructor(
    private readonly generator: Network,
    private readonly layer: string,
    readonly rows: number,
    readonly cols: number,
    private readonly z: Float32Array,
    private readonly mean: tf.Tensor1D,
    readonly totalVariance: number,
    private readonly cached: tf.Tensor2D[] | null,
    private readonly ctx: DirectionsContext
  ) {}

  /**
   * The first pass: each chunk's mean and sum of squared deviations, combined exactly (Chan et al.'s pairwise
   * update) into the column means and the total variance, without the cancellation of Σx² − nμ².
   */
  static async open(generator: Network, layer: string, cols: number, z: Float32Array, rows: number, ctx: DirectionsContext): Promise<ActivationSource> {
    const keep = rows * cols * 4 <= (ctx.cacheBytes ?? CACHE_BYTES)
    const cached: tf.Tensor2D[] = []
    const chunkMeans: Float64Array[] = []
    const counts: number[] = []
    let within = 0
    try {
      for (let start = 0; start < rows; start += CHUNK) {
        const n = Math.min(CHUNK, rows - start)
        const y = draw(generator, layer, cols, z, start, n)
        const [meanPart, squares] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
          const m = tf.mean(y, 0)
          return [m, tf.sum(tf.square(tf.sub(y, m)))]
        })
        try {
          chunkMeans.push(Float64Array.from(await meanPart.data()))
          within += (await squares.data())[0]!
        } finally {
          tf.dispose([meanPart, squares])
          if (keep) cached.push(y)
          else y.dispose()
        }
        counts.push(n)
        ctx.progress?.((FIRST_PASS * (start + n)) / rows, `Drew ${start + n} of ${rows} samples through ${layer}`)
        await yieldAndCheck(ctx.signal)
      }
    } catch (err) {
      tf.dispose(cached)
      throw err
    }
    const mean = new Float64Array(cols)
    chunkMeans.forEach((m, c) => m.forEach((v, j) => (mean[j] = mean[j]! + (v * counts[c]!) / rows)))
    let between = 0
    chunkMeans.forEach((m, c) => m.forEach((v, j) => (between += counts[c]! * (v - mean[j]!) ** 2)))
    const total = rows > 1 ? (within + between) / (rows - 1) : 0
    return new ActivationSource(generator, layer, rows, cols, z, tf.tensor1d(Float32Array.from(mean)), total, keep ? cached : null, ctx)
  }

  async times(right: Float64Array, block: number): Promise<Float64Array> {
    const basis = tf.tensor2d(Float32Array.from(right), [this.cols, block])
    const out = new Float64Array(this.rows * block)
    try {
      await this.eachChunk(async (y, start) => {
        const part = tf.tidy(() => tf.matMul(tf.sub(y, this.mean), basis))
        try {
          out.set(await part.data(), start * block)
        } finally {
          part.dispose()
        }
      })
    } finally {
      basis.dispose()
    }
    return out
  }

  async transposeTimes(right: Float64Array, block: number): Promise<Float64Array> {
    let sum: tf.Tensor2D = tf.zeros([this.cols, block])
    try {
      await this.eachChunk(async (y, start, n) => {
        const next = tf.tidy(() => {
          const w = tf.tensor2d(Float32Array.from(right.subarray(start * block, (start + n) * block)), [n, block])
          return tf.add<tf.Tensor2D>(sum, tf.matMul(tf.sub(y, this.mean), w, true, false))
        })
        sum.dispose()
        sum = next
      })
      return Float64Array.from(await sum.data())
    } finally {
      sum.dispose()
    }
  }

  dispose(): void {
    this.mean.dispose()
    if (this.cached) tf.dispose(this.cached)
  }

  private async eachChunk(use: (y: tf.Tensor2D, start: number, n: number) => Promise<void>): Promise<void> {
    for (let start = 0, chunk = 0; start < this.rows; start += CHUNK, chunk++) {
      const n = Math.min(CHUNK, this.rows - start)
      const y = this.cached ? (this.cached[chunk] as tf.Tensor2D) : draw(this.generator, this.layer, this.cols, this.z, start, n)
      try {
        await use(y, start, n)
      } finally {
        if (!this.cached) y.dispose()
      }
      await yieldAndCheck(this.ctx.signal)
    }
  }
}

/** Rows [start, start + n) of the activation matrix: G up to `layer` on those z, one sample a row. */
function draw(generator: Network, layer: string, cols: number, z: Float32Array, start: number, n: number): tf.Tensor2D {
  const zDim = generator.config.zDim
  return tf.tidy(() => forwardOutput(generator, tf.tensor2d(z.subarray(start * zDim, (start + n) * zDim), [n, zDim]), { upTo: layer }).reshape([n, cols]))
}
