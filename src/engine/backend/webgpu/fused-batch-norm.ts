import * as tf from '@tensorflow/tfjs'
import { BATCH_NORM_GRAD, BATCH_NORM_TRAINING, MOVING_AVERAGES } from './kernels/batch-norm'

/**
 * Training-mode BatchNormalization in 3 GPU programs forward and 2 backward, instead of the 12 and about 20 that
 * tfjs-layers' composite (moments, batchNorm, two moving averages, and autodiff of all of it) dispatches on
 * webgpu. A DCGAN training step runs BatchNorm 12 (32 px) to 17 (64 px) times, and on a GPU a small network's
 * step is bound by how many programs it dispatches (each costs the CPU tens of µs: `npm run bench --
 * --dispatch-cost`), so this is one of the largest cuts in the step's dispatch count.
 *
 * The programs run as the kernels of kernels/batch-norm.ts, so the profile names and times them. This module
 * replaces the layer's `call` (tfjs-layers' BatchNormalization class, for every instance) and acts only on the
 * webgpu backend, in training mode, for the layers the studio builds (normalising over the last axis, with γ
 * and β); everything else, and every other backend, goes to tfjs-layers' own code. The numbers are the same
 * computation in another order: the tests compare it with tfjs's BatchNorm on cpu (batch-norm.webgpu.test.ts).
 */

/** The fields of tfjs-layers' BatchNormalization that its `call` reads (they are not in its public type). */
interface BatchNormLayer {
  axis: number
  momentum: number
  epsilon: number
  center: boolean
  scale: boolean
  gamma: tf.LayerVariable
  beta: tf.LayerVariable
  movingMean: tf.LayerVariable
  movingVariance: tf.LayerVariable
}

type LayerCall = (this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown> | undefined) => tf.Tensor | tf.Tensor[]

let original: LayerCall | null = null

function batchNormPrototype(): { call: LayerCall } {
  // The class is not exported by name; every instance's prototype is it.
  const layer = tf.layers.batchNormalization({})
  return Object.getPrototypeOf(layer) as { call: LayerCall }
}

/** Puts the fused path in place (once; safe to call again). */
export function installFusedBatchNorm(): void {
  if (original) return
  const prototype = batchNormPrototype()
  const tfjsCall = prototype.call
  original = tfjsCall
  prototype.call = function (this: BatchNormLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs
    if (input && fusable(this, input, kwargs)) return fusedCall(this, input)
    return tfjsCall.call(this, inputs, kwargs)
  }
}

/** Puts tfjs-layers' own `call` back. */
export function uninstallFusedBatchNorm(): void {
  if (!original) return
  batchNormPrototype().call = original
  original = null
}

function fusable(layer: BatchNormLayer, input: tf.Tensor, kwargs: Record<string, unknown> | undefined): boolean {
  const rank = input.rank
  return (
    kwargs?.['training'] === true &&
    tf.getBackend() === 'webgpu' &&
    (tf.getKernel(BATCH_NORM_TRAINING, 'webgpu') as tf.KernelConfig | undefined) !== undefined &&
    rank >= 2 &&
    (layer.axis === -1 || layer.axis === rank - 1) &&
    layer.center &&
    layer.scale &&
    input.dtype === 'float32' &&
    input.size > 0
  )
}

function fusedCall(layer: BatchNormLayer, input: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const channels = input.shape[input.rank - 1] as number
    const rows = input.size / channels
    const attrs = { epsilon: layer.epsilon }
    // The batch statistics, kept out of the op's own tidy for the moving averages below.
    let stats: tf.Tensor | null = null
    const normalise = tf.customGrad((x, gamma, beta, save) => {
      const flat = (x as tf.Tensor).reshape([rows, channels])
      const [y, batch] = tf
        .engine()
        .runKernel<[tf.Tensor, tf.Tensor]>(BATCH_NORM_TRAINING, { x: flat, gamma: gamma as tf.Tensor, beta: beta as tf.Tensor }, attrs)
      stats = tf.keep(batch)
      ;(save as tf.GradSaveFunc)([flat, batch, gamma as tf.Tensor])
      return {
        value: y.reshape(input.shape),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [savedX, savedStats, savedGamma] = saved as [tf.Tensor, tf.Tensor, tf.Tensor]
          const inputs = { dy: dy.reshape([rows, channels]), x: savedX, stats: savedStats, gamma: savedGamma }
          const [dx, dGamma, dBeta] = tf.engine().runKernel<[tf.Tensor, tf.Tensor, tf.Tensor]>(BATCH_NORM_GRAD, inputs, attrs)
          return [dx.reshape(input.shape), dGamma, dBeta]
        }
      }
    })
    // Named as ops with a custom gradient are (`…__op`): the profile counts the kernels inside, not this wrapper.
    const output = tf.tidy('StudioBatchNorm__op', () => normalise(input, layer.gamma.read(), layer.beta.read()))
    const batch = stats as tf.Tensor | null
    if (!batch) throw new Error('The fused BatchNorm produced no batch statistics.')
    try {
      // tfjs-layers' update: moving ← moving − (moving − batch) · (1 − momentum), for the mean and the variance.
      const [mean, variance] = tf
        .engine()
        .runKernel<[tf.Tensor, tf.Tensor]>(
          MOVING_AVERAGES,
          { mean: layer.movingMean.read(), variance: layer.movingVariance.read(), stats: batch },
          { decay: 1 - layer.momentum }
        )
      layer.movingMean.write(mean)
      layer.movingVariance.write(variance)
    } finally {
      batch.dispose()
    }
    return output
  })
}
