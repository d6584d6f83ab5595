import * as tf from '@tensorflow/tfjs'
import type { EngineCanvasParams, EngineCanvasResult } from '../../shared/api/canvas'
import { StudioError } from '../../shared/api/errors'
import { CANVAS_PATCH, CANVAS_WRAP, canvasSizeProblem } from '../../shared/latent/canvas-grid'
import { forwardOutput } from './forward'
import { throwIfAborted } from './generate'
import type { ModelCache, Network } from './models'
import { tensorToRgbaImages } from './pixels'

/**
 * Big canvas (dcgan.torch's large `imsize`): a grid of z vectors rendered as one image by the model's own G.
 *
 * G's first layer (g_project, a dense layer without bias, reshaped to 4×4×w₀) is a 4×4 transposed convolution
 * of a 1×1 z map. So every cell's z goes through that same dense layer — the matmul an ordinary sample uses,
 * which makes a 1×1 canvas the ordinary sample bit for bit — and the cells' 4×4 patches are overlap-added with
 * stride 1 into an (h + 3) × (w + 3) map (a stride-1 'valid' transposed convolution). The rest of G (BatchNorm,
 * ReLU, the stride-2 deconvolutions with their crops, tanh) runs unchanged on the larger map.
 *
 * A model with projectionNorm 'unit' (the authors' Theano G) normalises each of the dense layer's 16·w₀ units
 * before the reshape: a per-position scale and shift that is not spatially invariant. There each patch is
 * normalised on its own and overlapping patches are averaged (exact for 1×1; an approximation beyond).
 *
 * Tiling wraps the overlap-add around (an h × w map) and pads every deconvolution's input circularly, cropping
 * its output by twice that, so the picture is periodic: copies of it meet without a seam.
 */

export interface CanvasContext {
  signal?: AbortSignal
  progress?(fraction: number, message: string): void
}

export async function canvas(models: ModelCache, params: EngineCanvasParams, ctx: CanvasContext = {}): Promise<EngineCanvasResult> {
  const started = performance.now()
  const { model } = params.generator
  const cells = params.rows * params.columns
  if (params.z.length !== cells * model.zDim) {
    throw new StudioError(
      'bad_request',
      `canvas got ${params.z.length} numbers for ${params.rows}×${params.columns} cells of ${model.zDim}; it needs rows × columns × zDim = ${cells * model.zDim}.`
    )
  }
  checkCanvasSize(params)
  const image = await models.use(params.generator, async (pair) => {
    const loaded = await pair.network('G')
    const generator = params.statistics === 'canvas' ? { ...loaded, batchStats: true } : loaded
    throwIfAborted(ctx.signal)
    const out = await renderCanvas(generator, params, ctx)
    try {
      const [rgba] = await tensorToRgbaImages(out)
      if (!rgba) throw new Error('canvas: G returned no image')
      return rgba
    } finally {
      out.dispose()
    }
  })
  return { image, millis: performance.now() - started, backend: tf.getBackend() }
}

/** Refuses a canvas larger than MAX_CANVAS_SIDE pixels a side, or whose largest layer would not fit in memory. */
export function checkCanvasSize(params: Pick<EngineCanvasParams, 'generator' | 'rows' | 'columns' | 'tile'>): void {
  const problem = canvasSizeProblem(params.generator.model, params.columns, params.rows, params.tile)
  if (problem !== null) throw new StudioError('bad_request', problem)
}

/** G's picture of the grid, [1, height, width, channels] in [-1, 1], one layer at a time (progress, cancel). */
async function renderCanvas(generator: Network, params: EngineCanvasParams, ctx: CanvasContext): Promise<tf.Tensor4D> {
  const unit = generator.config.projectionNorm === 'unit'
  // Everything after the reshape runs unchanged on the larger map.
  const rest = generator.plan.slice(generator.plan.findIndex((spec) => spec.name === 'g_reshape') + 1)
  // Progress by work: a deconvolution costs its outputs times its inputs' channels, any other layer its outputs.
  const cost = rest.map((spec, i) => {
    const outputs = spec.outputShape.reduce((a, b) => a * b, 1)
    return spec.kind === 'deconv' ? outputs * (rest[i - 1]?.outputShape.at(-1) ?? 1) : outputs
  })
  const total = cost.reduce((a, b) => a + b, 0) * 1.05
  let done = 0
  let x = tf.tidy(() => baseMap(generator, params, unit))
  let after = 'g_reshape'
  try {
    for (const [i, spec] of rest.entries()) {
      ctx.progress?.(done / total, `Drawing ${spec.name}`)
      done += cost[i] ?? 0
      // Let a cancel message in between layers; a canvas can take a while on a CPU backend.
      await new Promise((resolve) => setImmediate(resolve))
      throwIfAborted(ctx.signal)
      const wrap = params.tile && spec.kind === 'deconv'
      const input = x
      const from = after
      const next = tf.tidy(() => {
        const y = forwardOutput(generator, wrap ? wrapPad(input, CANVAS_WRAP) : input, { after: from, upTo: spec.name }) as tf.Tensor4D
        return wrap ? cropBy(y, 2 * CANVAS_WRAP) : y
      })
      x.dispose()
      x = next
      after = spec.name
    }
    ctx.progress?.(done / total, 'Reading the picture')
    return x
  } catch (err) {
    x.dispose()
    throw err
  }
}

/** The base map: every cell's z through g_project (and a unit BN), its 4×4 patch overlap-added. [1, H, W, w₀]. */
function baseMap(generator: Network, params: EngineCanvasParams, unit: boolean): tf.Tensor4D {
  const { rows, columns, tile } = params
  const depth = generator.plan.find((spec) => spec.name === 'g_reshape')?.outputShape[2]
  if (depth === undefined) throw new Error('canvas: the generator has no g_reshape layer')
  const z = tf.tensor2d(params.z, [rows * columns, generator.config.zDim])
  const units = forwardOutput(generator, z, { upTo: unit ? 'g_bn0' : 'g_project' })
  const patches = units.reshape<tf.Tensor5D>([rows, columns, CANVAS_PATCH, CANVAS_PATCH, depth])
  let map = overlapAdd(patches, tile)
  if (unit) map = map.div(overlapAdd(tf.ones([rows, columns, CANVAS_PATCH, CANVAS_PATCH, 1]), tile))
  return map.expandDims<tf.Tensor4D>(0)
}

/** Adds each cell's k×k patch at the cell's position: [h, w, k, k, d] → [h + k − 1, w + k − 1, d], or [h, w, d] wrapped. */
function overlapAdd(patches: tf.Tensor5D, tile: boolean): tf.Tensor3D {
  const [rows, columns, k, , depth] = patches.shape
  let sum: tf.Tensor3D | null = null
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const part = patches
        .slice([0, 0, a, b, 0], [rows, columns, 1, 1, depth])
        .reshape<tf.Tensor3D>([rows, columns, depth])
        .pad<tf.Tensor3D>([
          [a, k - 1 - a],
          [b, k - 1 - b],
          [0, 0]
        ])
      // Adding zeros is exact, so a lone cell's patch comes out unchanged (a 1×1 canvas is the ordinary sample).
      sum = sum === null ? part : sum.add(part)
    }
  }
  if (!sum) throw new Error('canvas: empty patch')
  return tile ? fold(fold(sum, 0, rows), 1, columns) : sum
}

/** Sums an axis modulo `period`: what spills past the edge of a periodic map comes back in at the other edge. */
function fold(x: tf.Tensor3D, axis: 0 | 1, period: number): tf.Tensor3D {
  const size = x.shape[axis]
  const copies = Math.ceil(size / period)
  const padding: [number, number][] = [
    [0, 0],
    [0, 0],
    [0, 0]
  ]
  padding[axis] = [0, copies * period - size]
  const padded = x.pad<tf.Tensor3D>(padding)
  const [h, w, d] = padded.shape
  const split: number[] = axis === 0 ? [copies, period, w, d] : [h, copies, period, d]
  return padded.reshape(split).sum<tf.Tensor3D>(axis)
}

/** Pads a periodic map [1, h, w, d] with `p` cells of itself on every side. */
function wrapPad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  const [, h, w] = x.shape
  const reps = (n: number): number => Math.ceil(p / n)
  const tiled = x.tile<tf.Tensor4D>([1, 2 * reps(h) + 1, 2 * reps(w) + 1, 1])
  return tiled.slice([0, reps(h) * h - p, reps(w) * w - p, 0], [1, h + 2 * p, w + 2 * p, -1])
}

function cropBy(x: tf.Tensor4D, c: number): tf.Tensor4D {
  const [, h, w] = x.shape
  return x.slice([0, c, c, 0], [1, h - 2 * c, w - 2 * c, -1])
}
