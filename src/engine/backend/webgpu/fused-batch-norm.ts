import * as tf from '@tensorflow/tfjs'
import { BATCH_NORM_GRAD, BATCH_NORM_INFERENCE, BATCH_NORM_TRAINING, type BatchNormAttrs, MOVING_AVERAGES } from './kernels/batch-norm'

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
 *
 * Inside `withActivationsFused` (the training step), where the layer's one consumer is a ReLU or LeakyReLU layer
 * (every BatchNorm the studio builds, but the authors' Theano G's first, which a reshape follows), the activation
 * runs in the normalisation's program and its gradient in the backward programs; the activation layer then passes
 * that output on as it is (its `call` is wrapped too, and only passes on what was activated for it). That saves a
 * program each way per use.
 */

/** The fields of tfjs-layers' BatchNormalization that its `call` reads (they are not in its public type). */
interface BatchNormLayer {
  outboundNodes: Array<{ outboundLayer: unknown; inboundLayers: unknown[] }>
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

type AnyLayerCall = (this: object, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown> | undefined) => tf.Tensor | tf.Tensor[]

/** tfjs-layers' own `call`s, while ours are installed: BatchNormalization's, then the activation layers'. */
let originals: { batchNorm: LayerCall; activations: Array<{ prototype: { call: AnyLayerCall }; call: AnyLayerCall }> } | null = null

// The classes are not exported by name; every instance's prototype is it.
function batchNormPrototype(): { call: LayerCall } {
  return Object.getPrototypeOf(tf.layers.batchNormalization({})) as { call: LayerCall }
}

function activationPrototypes(): Array<{ call: AnyLayerCall }> {
  return [tf.layers.activation({ activation: 'relu' }), tf.layers.leakyReLU({})].map((layer) => Object.getPrototypeOf(layer) as { call: AnyLayerCall })
}

/** The output a fused BatchNorm activated, and the activation layer it did it for. */
const activatedFor = new WeakMap<tf.Tensor, object>()

/** Puts the fused path in place (once; safe to call again). */
export function installFusedBatchNorm(): void {
  if (originals) return
  const prototype = batchNormPrototype()
  const tfjsCall = prototype.call
  prototype.call = function (this: BatchNormLayer, inputs, kwargs) {
    const input = single(inputs)
    if (input && fusable(this, input, kwargs)) return fusedCall(this, input)
    return tfjsCall.call(this, inputs, kwargs)
  }
  const activations = activationPrototypes().map((activation) => {
    const call = activation.call
    activation.call = function (this: object, inputs, kwargs) {
      const input = single(inputs)
      // Already activated, for this layer, by the BatchNorm before it. Layer.apply clones an input returned as
      // output; the functional model's graph runner takes it as it is.
      if (input && activatedFor.get(input) === this) return input
      return call.call(this, inputs, kwargs)
    }
    return { prototype: activation, call }
  })
  originals = { batchNorm: tfjsCall, activations }
}

/** Puts tfjs-layers' own `call`s back. */
export function uninstallFusedBatchNorm(): void {
  if (!originals) return
  batchNormPrototype().call = originals.batchNorm
  for (const { prototype, call } of originals.activations) prototype.call = call
  originals = null
}

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined {
  return Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs
}

let fusingActivations = 0

/**
 * Runs `fn` (synchronous: a training step's forward and backward passes) with each fused BatchNorm also applying
 * the activation layer that follows it. Only for models whose outputs lie past those activations, as G's and D's
 * do: a model that ended at such a BatchNorm (a sub-model of its layers) would get the activated values. Nothing
 * changes on other backends, where BatchNorm is tfjs-layers' own.
 */
export function withActivationsFused<T>(fn: () => T): T {
  fusingActivations++
  try {
    return fn()
  } finally {
    fusingActivations--
  }
}

/** No activation: select(1·y, y, y > 0) is y. */
const NO_ACTIVATION = { layer: null, alpha: 1 }

/**
 * The activation layer the BatchNorm's output goes to and nowhere else, with its slope below zero (0 for ReLU);
 * NO_ACTIVATION when there is none, or another consumer, or a slope the backward programs cannot tell the sides
 * of the activation apart by (a negative one).
 */
function followingActivation(layer: BatchNormLayer): { layer: object | null; alpha: number } {
  if (fusingActivations === 0) return NO_ACTIVATION
  const consumers = layer.outboundNodes
  const next = consumers.length === 1 ? (consumers[0] as { outboundLayer: unknown; inboundLayers: unknown[] }) : null
  if (!next || next.inboundLayers.length !== 1) return NO_ACTIVATION
  const consumer = next.outboundLayer as { getClassName(): string; activation?: { getClassName(): string }; alpha?: number }
  const name = consumer.getClassName()
  if (name === 'Activation' && consumer.activation?.getClassName() === 'relu') return { layer: consumer, alpha: 0 }
  if (name === 'LeakyReLU' && typeof consumer.alpha === 'number' && consumer.alpha >= 0) return { layer: consumer, alpha: consumer.alpha }
  return NO_ACTIVATION
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
    const activation = followingActivation(layer)
    const attrs: BatchNormAttrs = { epsilon: layer.epsilon, alpha: activation.alpha }
    // The batch statistics, kept out of the op's own tidy for the moving averages below.
    let stats: tf.Tensor | null = null
    const normalise = tf.customGrad((x, gamma, beta, save) => {
      const flat = (x as tf.Tensor).reshape([rows, channels])
      const [y, batch] = tf
        .engine()
        .runKernel<[tf.Tensor, tf.Tensor]>(
          BATCH_NORM_TRAINING,
          { x: flat, gamma: gamma as tf.Tensor, beta: beta as tf.Tensor },
          attrs as unknown as tf.NamedAttrMap
        )
      stats = tf.keep(batch)
      ;(save as tf.GradSaveFunc)([flat, batch, gamma as tf.Tensor, y])
      return {
        value: y.reshape(input.shape),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [savedX, savedStats, savedGamma, savedY] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]
          const inputs = { dy: dy.reshape([rows, channels]), x: savedX, stats: savedStats, gamma: savedGamma, y: savedY }
          const [dx, dGamma, dBeta] = tf.engine().runKernel<[tf.Tensor, tf.Tensor, tf.Tensor]>(BATCH_NORM_GRAD, inputs, attrs as unknown as tf.NamedAttrMap)
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
    if (activation.layer) activatedFor.set(output, activation.layer)
    return output
  })
}

/**
 * Inference BatchNorm (moving statistics) and the activation after it in one program on webgpu, for a caller that
 * runs a network layer by layer and knows the BatchNorm's own output is not wanted (explore/forward.ts); `alpha`
 * is the activation's slope below zero (0 for ReLU). Null where it does not apply (another backend, not float32,
 * a negative slope): the caller then runs the two layers itself.
 */
export function inferenceBatchNormActivation(layer: tf.layers.Layer, x: tf.Tensor, alpha: number): tf.Tensor | null {
  if (tf.getBackend() !== 'webgpu' || !(tf.getKernel(BATCH_NORM_INFERENCE, 'webgpu') as tf.KernelConfig | undefined)) return null
  if (x.dtype !== 'float32' || x.size === 0 || !(alpha >= 0)) return null
  const bn = layer as unknown as BatchNormLayer
  if (!bn.center || !bn.scale || (bn.axis !== -1 && bn.axis !== x.rank - 1)) return null
  return tf.tidy(() => {
    const channels = x.shape[x.rank - 1] as number
    const attrs: BatchNormAttrs = { epsilon: bn.epsilon, alpha }
    const inputs = {
      x: x.reshape([x.size / channels, channels]),
      mean: bn.movingMean.read(),
      variance: bn.movingVariance.read(),
      gamma: bn.gamma.read(),
      beta: bn.beta.read()
    }
    return tf
      .engine()
      .runKernel<tf.Tensor>(BATCH_NORM_INFERENCE, inputs, attrs as unknown as tf.NamedAttrMap)
      .reshape(x.shape)
  })
}
