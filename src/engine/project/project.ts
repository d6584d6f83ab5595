import * as tf from '@tensorflow/tfjs'
import type { EngineProjectParams, ProjectResult } from '../../shared/api/experiments'
import { StudioError } from '../../shared/api/errors'
import type { RgbaImage } from '../../shared/api/image'
import type { NoiseSpec } from '../../shared/formats/model'
import { noiseForSeed } from '../../shared/latent/random'
import { forwardOutput } from '../explore/forward'
import type { ModelCache, Network } from '../explore/models'
import { rgbaToTensor, tensorToRgbaImages } from '../explore/pixels'
import { yieldAndCheck } from '../probe/cancel'
import { createAdam } from '../train/adam'

/**
 * Projection: the z whose sample looks most like a given image. Several starting points, drawn from the
 * model's own noise distribution, are optimised together as one batch with Adam on the pixel mean squared
 * error (on the model's [-1, 1] scale); after every step z is clipped back into the noise range (for a normal
 * distribution, mean ± 3 std), so the answer is a z the model could have drawn. The loss is pixels only: a
 * D-feature term would trade exact pixels for likeness as D sees it, and we report pixel error.
 * Starts are independent because a checkpoint's G normalises with its moving statistics; an untrained G
 * (batch statistics) would tie them together, so it is refused.
 */

export interface ProjectContext {
  signal?: AbortSignal
  progress?(fraction: number, message: string): void
}

/** Steps between reports (and chances to cancel). */
const REPORT_EVERY = 10

export async function project(models: ModelCache, params: EngineProjectParams, ctx: ProjectContext = {}): Promise<ProjectResult> {
  const started = performance.now()
  if (params.generator.kind === 'untrained') {
    throw new StudioError(
      'bad_request',
      'Projection needs a trained checkpoint: an untrained generator normalises each batch by itself, so its images depend on the batch.'
    )
  }
  const { zDim, noise, imageSize, channels } = params.generator.model
  return models.use(params.generator, async (pair) => {
    const generator = await pair.network('G')
    const [low, high] = noiseRange(noise)
    const starts = new Float32Array(params.starts * zDim)
    for (let i = 0; i < params.starts; i++) starts.set(noiseForSeed(params.seed, i, zDim, noise), i * zDim)
    const target = rgbaToTensor(params.image, imageSize, channels)
    // tidy frees the initial value; the variable, which tidy never frees, keeps its own reference.
    const z = tf.tidy(() => tf.variable(tf.tensor2d(starts, [params.starts, zDim])))
    const optimizer = createAdam(params.learningRate)
    try {
      const initialErrors = await errorsOf(generator, z, target)
      for (let step = 1; step <= params.steps; step++) {
        optimizer.minimize(() => perStartError(generator, z, target, false).sum<tf.Scalar>(), false, [z])
        const clipped = tf.tidy(() => tf.clipByValue(z, low, high) as tf.Tensor2D)
        z.assign(clipped)
        clipped.dispose()
        if (step % REPORT_EVERY === 0 || step === params.steps) {
          const errors = await errorsOf(generator, z, target)
          ctx.progress?.(step / params.steps, `Step ${step} of ${params.steps}: best pixel error ${Math.min(...errors).toExponential(2)}`)
          await yieldAndCheck(ctx.signal)
        }
      }
      const errors = await errorsOf(generator, z, target)
      const best = errors.indexOf(Math.min(...errors))
      const bestZ = (await z.data()).slice(best * zDim, (best + 1) * zDim) as Float32Array<ArrayBuffer>
      const [reconstruction, shownTarget] = await Promise.all([render(generator, bestZ), tensorToRgbaImages(target)])
      return {
        z: bestZ,
        error: errors[best] as number,
        errors,
        initialErrors,
        best,
        reconstruction,
        target: shownTarget[0] as RgbaImage,
        seconds: (performance.now() - started) / 1000
      }
    } finally {
      optimizer.dispose()
      tf.dispose([z, target])
    }
  })
}

/** The box z is kept in: the uniform range, or mean ± 3 std (99.7% of each coordinate's draws) for normal noise. */
export function noiseRange(noise: NoiseSpec): [number, number] {
  return noise.kind === 'uniform' ? [noise.low, noise.high] : [noise.mean - 3 * noise.std, noise.mean + 3 * noise.std]
}

/** Mean squared pixel error of each start's image against the target: [starts]. */
function perStartError(generator: Network, z: tf.Tensor2D, target: tf.Tensor4D, free: boolean): tf.Tensor1D {
  // Intermediates must stay alive under the gradient tape, which still needs them for the backward pass.
  const images = forwardOutput(generator, z, { freeIntermediates: free })
  return images.sub(target).square().mean<tf.Tensor1D>([1, 2, 3])
}

async function errorsOf(generator: Network, z: tf.Tensor2D, target: tf.Tensor4D): Promise<number[]> {
  const errors = tf.tidy(() => perStartError(generator, z, target, true))
  try {
    return Array.from(await errors.data())
  } finally {
    errors.dispose()
  }
}

async function render(generator: Network, z: Float32Array): Promise<RgbaImage> {
  const image = tf.tidy(() => forwardOutput(generator, tf.tensor2d(z, [1, z.length])) as tf.Tensor4D)
  try {
    return (await tensorToRgbaImages(image))[0] as RgbaImage
  } finally {
    image.dispose()
  }
}
