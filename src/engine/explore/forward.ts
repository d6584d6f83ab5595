import * as tf from '@tensorflow/tfjs'
import { inferenceBatchNormActivation } from '../backend/webgpu/fused-batch-norm'
import { type LayerSpec, layersOf } from '../model'
import type { Network } from './models'

/**
 * Runs a network layer by layer, in the order of its plan, so the explorer can read any layer's output, stop
 * early, and swap the activation function (guided backpropagation) — all with the same forward pass that
 * renders images. Synchronous: call it inside tf.tidy (or a gradient function).
 */

/** One layer's output for the batch. */
export interface LayerOutput {
  readonly spec: LayerSpec
  readonly output: tf.Tensor
}

/** Replaces a ReLU or LeakyReLU layer's function; `slope` is its negative slope (0 for ReLU). */
export type ActivationOverride = (x: tf.Tensor, slope: number) => tf.Tensor

export interface ForwardOptions {
  /** Which layers' outputs to return; default: only the last layer run. */
  keep?: (spec: LayerSpec) => boolean
  /** Stop after this layer (by name); default: run to the output. */
  upTo?: string
  /** Start after this layer (by name): the input is its output. Default: start at the first layer. */
  after?: string
  activation?: ActivationOverride
  /**
   * Free each intermediate as soon as the next layer has consumed it, so a large batch does not hold every
   * layer's output at once. Must be false under a gradient tape, which still needs them for the backward pass.
   */
  freeIntermediates?: boolean
}

/** The kept layers' outputs, in layer order. The input layer is not run and never returned. */
export function forward(network: Network, input: tf.Tensor, options: ForwardOptions = {}): LayerOutput[] {
  const layers = network.plan.slice(1)
  const last = options.upTo === undefined ? layers.length - 1 : layers.findIndex((spec) => spec.name === options.upTo)
  if (last < 0) throw new Error(`forward: ${network.net} has no layer '${options.upTo ?? ''}'`)
  const first = options.after === undefined ? 0 : layers.findIndex((spec) => spec.name === options.after) + 1
  if (first === 0 && options.after !== undefined) throw new Error(`forward: ${network.net} has no layer '${options.after}'`)
  const keep = options.keep ?? ((spec: LayerSpec) => spec === layers[last])
  const free = options.freeIntermediates ?? true
  const kept: LayerOutput[] = []
  let x = input
  for (let i = first; i <= last; i++) {
    let spec = layers[i] as LayerSpec
    // A BatchNorm whose output nobody reads runs with the activation after it, in one GPU program on webgpu.
    const next = i < last ? layers[i + 1] : undefined
    const fusable = free && !options.activation && next && spec.kind === 'batchNorm' && !keep(spec) && network.erase?.layer !== spec.name
    let y = fusable ? batchNormWithActivation(network, spec, next, x) : null
    if (y && next) {
      spec = next
      i++
    } else {
      y = runLayer(network, spec, x, options.activation)
    }
    if (network.erase?.layer === spec.name) y = dropMaps(y, network.erase.channels)
    const keepIt = keep(spec) || i === last
    if (free && x !== input && y !== x && !kept.some((k) => k.output === x)) x.dispose()
    if (keepIt) kept.push({ spec, output: y })
    x = y
  }
  return kept
}

/** The output of layer `upTo`, or of the network's last layer (G's image, D's probability). */
export function forwardOutput(network: Network, input: tf.Tensor, options: Omit<ForwardOptions, 'keep'> = {}): tf.Tensor {
  const outputs = forward(network, input, { ...options, keep: () => false })
  const out = outputs[outputs.length - 1]
  if (!out) throw new Error(`forward: ${network.net} has no layers`)
  return out.output
}

/** Zeroes the given feature maps (last axis) at every location: the paper's "forgetting to draw". */
function dropMaps(x: tf.Tensor, channels: readonly number[]): tf.Tensor {
  const depth = x.shape[x.shape.length - 1] as number
  const keep = new Float32Array(depth).fill(1)
  for (const channel of channels) keep[channel] = 0
  // x is not freed here: under a gradient tape the backward pass still needs it; the caller's tidy frees it.
  return x.mul(tf.tensor1d(keep))
}

/**
 * `spec` (a BatchNorm, with its moving statistics) and `next` (ReLU or LeakyReLU) as one webgpu program
 * (backend/webgpu/fused-batch-norm.ts); null where they run as two layers (another backend, another layer after
 * the BatchNorm, an untrained model normalised by its batch).
 */
function batchNormWithActivation(network: Network, spec: LayerSpec, next: LayerSpec, x: tf.Tensor): tf.Tensor | null {
  if (network.batchStats || (next.kind !== 'relu' && next.kind !== 'leakyRelu')) return null
  const slope = next.kind === 'leakyRelu' ? network.config.leakySlope : 0
  return inferenceBatchNormActivation(network.model.getLayer(spec.name), x, slope)
}

function runLayer(network: Network, spec: LayerSpec, x: tf.Tensor, activation: ActivationOverride | undefined): tf.Tensor {
  const layer = network.model.getLayer(spec.name)
  if (spec.kind === 'batchNorm' && network.batchStats) return batchNormWithBatchStats(layer, x)
  if (activation && (spec.kind === 'relu' || spec.kind === 'leakyRelu')) {
    return activation(x, spec.kind === 'leakyRelu' ? network.config.leakySlope : 0)
  }
  // training: false makes BatchNorm use its moving statistics; no other layer of ours looks at the flag.
  if (spec.kind !== 'conv' && spec.kind !== 'deconv') return layer.apply(x, { training: false }) as tf.Tensor
  return layersOf(network.model, spec.name).reduce((y, part) => {
    const out = part.apply(y, { training: false }) as tf.Tensor
    // A padded input is this function's own intermediate (the caller frees x and the result).
    if (y !== x) y.dispose()
    return out
  }, x)
}

/**
 * BatchNorm normalised by this batch's statistics, as tfjs does in training mode but without updating the
 * moving statistics (tfjs writes them on every training-mode call, which would slowly change a cached model).
 */
function batchNormWithBatchStats(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  const weight = (suffix: string): tf.Tensor => {
    const found = layer.weights.find((w) => w.originalName.endsWith(suffix))
    if (!found) throw new Error(`BatchNorm layer '${layer.name}' has no ${suffix} weight`)
    return found.read()
  }
  const epsilon = layer.getConfig()['epsilon'] as number
  const axes = x.shape.map((_, i) => i).slice(0, -1)
  const { mean, variance } = tf.moments(x, axes)
  return tf.batchNorm(x, mean, variance, weight('/beta'), weight('/gamma'), epsilon)
}
