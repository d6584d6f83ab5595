import * as tf from '@tensorflow/tfjs'
import { withActivationsFused } from '../backend/webgpu/fused-batch-norm'
import { binaryCrossEntropyWithLogits } from './loss'

/**
 * One DCGAN training step as PyTorch's DCGAN example does it (the reference port of the paper's Torch code):
 *  1. D update: BCE(D(x), 1) + BCE(D(G(z)), 0), real and fake in separate forward passes so each is
 *     normalised by its own batch statistics, with G held fixed;
 *  2. G update: BCE(D(G(z)), 1) on the same z — the non-saturating loss of Goodfellow et al., which the paper
 *     uses — through the freshly updated D, with D held fixed.
 * Both networks run with training-mode BatchNorm (batch statistics). The losses use D's logits rather than its
 * sigmoid output, so a confident D gives large finite losses instead of log(0).
 */

export interface GanPair {
  generator: tf.LayersModel
  /** D up to its `d_logit` layer: the same layers and weights as the discriminator, without the sigmoid. */
  discriminatorLogits: tf.LayersModel
  generatorOptimizer: tf.Optimizer
  discriminatorOptimizer: tf.Optimizer
  /** The variables each optimizer updates, in the order its state is kept in. */
  generatorVariables: tf.Variable[]
  discriminatorVariables: tf.Variable[]
}

/** What a step reports: plain numbers, read back once per step. */
export interface StepLosses {
  dLoss: number
  gLoss: number
  /** Mean D(x) on the real batch. */
  dReal: number
  /** Mean D(G(z)) on the fake batch, in the D update (before either network changed). */
  dFake: number
}

/** Wraps a discriminator so that calling it gives the logit that feeds its final sigmoid. */
export function logitsOf(discriminator: tf.LayersModel): tf.LayersModel {
  let logit: tf.layers.Layer
  try {
    logit = discriminator.getLayer('d_logit')
  } catch (error) {
    throw new Error(
      `This discriminator has no 'd_logit' layer, so it is not one the studio built and cannot be trained here ` +
        `(${error instanceof Error ? error.message : String(error)}).`,
      { cause: error }
    )
  }
  // Shares the discriminator's layers (and so its weights and BatchNorm statistics); it owns nothing to dispose.
  return tf.model({ inputs: discriminator.inputs, outputs: logit.output })
}

/** The trainable variables of a model, in the order its layers hold them. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map(variableOf)
}

/** The tfjs variable behind a layer's weight (tfjs types `read()` as a plain tensor). */
export function variableOf(weight: tf.LayerVariable): tf.Variable {
  const value = weight.read()
  if (!isVariable(value)) throw new Error(`The weight ${weight.name} holds no tfjs variable.`)
  return value
}

function isVariable(tensor: tf.Tensor): tensor is tf.Variable {
  return tensor instanceof tf.Variable
}

/**
 * Runs `fn` with `model`'s BatchNorm moving statistics restored afterwards. A training-mode forward pass
 * updates them; where PyTorch runs a network forward once per step and we need a second pass (G's output for
 * the D update, samples at step 0), this keeps the statistics exactly as PyTorch's would be.
 */
export function withFrozenMovingStats<T>(model: tf.LayersModel, fn: () => T): T {
  const saved = model.nonTrainableWeights.map((weight) => tf.keep(weight.read().clone()))
  try {
    return fn()
  } finally {
    // write() assigns the saved tensor's data to the variable, which then holds its own reference to it.
    model.nonTrainableWeights.forEach((weight, i) => weight.write(saved[i] as tf.Tensor))
    tf.dispose(saved)
  }
}

/**
 * Runs `fn` (which may be async) with every BatchNorm layer of `models` using `momentum` for its moving
 * statistics. The trainer runs its very first step with momentum 0, so the moving statistics start as that
 * batch's statistics instead of the initial mean 0 / variance 1: freshly initialised layers have tiny
 * activations (weights from N(0, 0.02)), and an initial variance of 1 would take a few hundred steps to fade
 * out of the average, leaving samples drawn with the moving statistics a flat grey until then.
 */
export async function withBatchNormMomentum<T>(models: tf.LayersModel[], momentum: number, fn: () => Promise<T>): Promise<T> {
  const layers = models.flatMap((model) => model.layers.filter((layer) => layer.getClassName() === 'BatchNormalization')) as unknown as { momentum: number }[]
  const saved = layers.map((layer) => layer.momentum)
  for (const layer of layers) layer.momentum = momentum
  try {
    return await fn()
  } finally {
    layers.forEach((layer, i) => {
      layer.momentum = saved[i] as number
    })
  }
}

/**
 * One D update then one G update on the batch `real` ([b, s, s, c] in [-1, 1]) and the noise `z` (b × zDim
 * values, already drawn from the model's noise distribution). Returns the losses as numbers.
 *
 * G runs forward once, as in PyTorch's example (`fake = netG(noise)`, D's update on `fake.detach()`, G's through
 * the updated D on the same `fake`): the D update runs between G's forward pass and G's loss, within G's gradient
 * but with its tape paused (`offTape`), so both use the one pass of G. D's gradient does not reach G (it is taken
 * with respect to D's variables only), and G's gradient does not see the D update (D's variables are leaves of G's
 * loss, read after the update). The numbers are those of running G twice with the same weights and z, one
 * pass fewer: a transposed convolution per layer, G's BatchNorms and activations, and the moving statistics kept
 * exactly as PyTorch's (one training-mode pass of G per step).
 */
export async function trainGanStep(pair: GanPair, real: tf.Tensor4D, z: Float32Array): Promise<StepLosses> {
  const batch = real.shape[0]
  // On webgpu each BatchNorm also applies the activation after it (backend/webgpu/fused-batch-norm.ts).
  const results = tf.tidy(() =>
    withActivationsFused(() => {
      const noise = tf.tensor2d(z, [batch, z.length / batch])
      // D's loss and mean D(x), D(G(z)), kept out of the tapes' tidies so they are read with G's loss in one download.
      const kept: { dLoss?: tf.Scalar; probabilities?: tf.Tensor } = {}
      try {
        const { value: gLoss, grads } = pair.generatorOptimizer.computeGradients(() => {
          const fake = pair.generator.apply(noise, { training: true }) as tf.Tensor
          const dLoss = offTape(() =>
            pair.discriminatorOptimizer.minimize(
              () => {
                const realLogits = pair.discriminatorLogits.apply(real, { training: true }) as tf.Tensor
                const fakeLogits = pair.discriminatorLogits.apply(fake, { training: true }) as tf.Tensor
                kept.probabilities = tf.keep(tf.stack([tf.sigmoid(realLogits).mean(), tf.sigmoid(fakeLogits).mean()]))
                return tf.add<tf.Scalar>(binaryCrossEntropyWithLogits(realLogits, 1), binaryCrossEntropyWithLogits(fakeLogits, 0))
              },
              true,
              pair.discriminatorVariables
            )
          )
          if (!dLoss) throw new Error('The optimizer returned no loss for the D update.')
          kept.dLoss = tf.keep(dLoss)
          return binaryCrossEntropyWithLogits(pair.discriminatorLogits.apply(fake, { training: true }) as tf.Tensor, 1)
        }, pair.generatorVariables)
        pair.generatorOptimizer.applyGradients(grads)
        tf.dispose(grads)
        if (!kept.dLoss || !kept.probabilities) throw new Error('The D update of a training step reported nothing.')
        return tf.concat([tf.stack([kept.dLoss, gLoss]), kept.probabilities])
      } finally {
        tf.dispose([kept.dLoss, kept.probabilities].filter((t): t is tf.Tensor => t !== undefined))
      }
    })
  )
  const values = await results.data()
  results.dispose()
  return { dLoss: at(values, 0), gLoss: at(values, 1), dReal: at(values, 2), dFake: at(values, 3) }
}

/**
 * Runs `fn` with the gradient tape that is recording (G's, in trainGanStep) paused, and restored after: `fn`'s
 * ops, and the tape of its own gradient, are then those of an update run on its own, which frees what it saved for
 * its backward pass when it ends. Under G's tape the D update's forward and backward tensors would be kept until G's
 * gradient is taken, for nothing (nothing of it leads to G's loss): 1.6× the step's peak memory.
 * tfjs-core's engine records ops while `gradientDepth` > 0 (`isTapeOn`) and starts a fresh `activeTape` at depth 0.
 */
function offTape<T>(fn: () => T): T {
  const state = tf.engine().state
  const { activeTape, gradientDepth } = state
  state.gradientDepth = 0
  try {
    return fn()
  } finally {
    state.activeTape = activeTape
    state.gradientDepth = gradientDepth
  }
}

function at(values: ArrayLike<number>, index: number): number {
  return values[index] as number
}
