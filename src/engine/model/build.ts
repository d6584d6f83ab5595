import * as tf from '@tensorflow/tfjs'
import { type ModelConfig, symmetricPadding } from '../../shared/formats/model'
import { batchNorm, kernelInit } from './init'
import type { LayerSpec } from './layers'

/**
 * Turns a layer plan from layers.ts into a tfjs model. Both builders go through here, so a built model has
 * exactly the planned layers, names and shapes, and the plan stays the one place the architecture is written.
 */

/**
 * With ModelConfig.padding 'symmetric', a conv is zero padding (its own layer, `d_conv1_pad`) and a 'valid'
 * conv, and a deconv is a 'valid' deconv and a cropping (`g_deconv1_crop`): tfjs's 'same' pads one row less
 * before than after for a 5×5 kernel, Theano and PyTorch pad ⌊(k−1)/2⌋ on each side. These layers are not in
 * the plan (they show nothing of their own); code that runs a plan layer by layer runs them through layersOf.
 */
const PAD_SUFFIX = '_pad'
const CROP_SUFFIX = '_crop'

/** Whether a built model's layer is one of the padding layers around a planned conv (not a plan layer). */
export function isPaddingLayer(name: string): boolean {
  return name.endsWith(PAD_SUFFIX) || name.endsWith(CROP_SUFFIX)
}

/** The built layers that compute the planned layer `name`, in order: its padding, itself, its cropping. */
export function layersOf(model: tf.LayersModel, name: string): tf.layers.Layer[] {
  const names = [`${name}${PAD_SUFFIX}`, name, `${name}${CROP_SUFFIX}`]
  return names.flatMap((n) => model.layers.filter((layer) => layer.name === n))
}

/** The tfjs layers for one planned layer (see layersOf). Every conv is stride 2, so it halves or doubles. */
function layersFor(spec: LayerSpec, config: ModelConfig, seed: number | undefined): tf.layers.Layer[] {
  const layer = layerFor(spec, config, seed)
  if (config.padding !== 'symmetric' || (spec.kind !== 'conv' && spec.kind !== 'deconv')) return [layer]
  const { pad, cropAfter } = symmetricPadding(config.kernelSize)
  if (spec.kind === 'conv')
    return [
      tf.layers.zeroPadding2d({
        name: `${spec.name}${PAD_SUFFIX}`,
        padding: [
          [pad, pad],
          [pad, pad]
        ]
      }),
      layer
    ]
  return [
    layer,
    tf.layers.cropping2D({
      name: `${spec.name}${CROP_SUFFIX}`,
      cropping: [
        [pad, cropAfter],
        [pad, cropAfter]
      ]
    })
  ]
}

function layerFor(spec: LayerSpec, config: ModelConfig, seed: number | undefined): tf.layers.Layer {
  const { name } = spec
  const channels = spec.outputShape[spec.outputShape.length - 1] ?? 0
  // No biases anywhere: BatchNorm's beta takes their place, and PyTorch's DCGAN has none on the other layers.
  const conv = {
    filters: channels,
    kernelSize: config.kernelSize,
    strides: 2,
    padding: config.padding === 'symmetric' ? ('valid' as const) : ('same' as const),
    useBias: false
  }
  switch (spec.kind) {
    case 'dense':
      return tf.layers.dense({
        name,
        units: channels,
        useBias: false,
        kernelInitializer: kernelInit(config, seed, name)
      })
    case 'reshape':
      return tf.layers.reshape({ name, targetShape: [...spec.outputShape] })
    case 'batchNorm':
      return batchNorm(config, seed, name)
    case 'relu':
    case 'tanh':
    case 'sigmoid':
      return tf.layers.activation({ name, activation: spec.kind })
    case 'leakyRelu':
      return tf.layers.leakyReLU({ name, alpha: config.leakySlope })
    case 'conv':
      return tf.layers.conv2d({ name, ...conv, kernelInitializer: kernelInit(config, seed, name) })
    case 'deconv':
      return tf.layers.conv2dTranspose({ name, ...conv, kernelInitializer: kernelInit(config, seed, name) })
    case 'flatten':
      return tf.layers.flatten({ name })
    case 'input':
      throw new Error(`Layer plan error: input layer '${name}' may only come first`)
    default: {
      const unknown: never = spec.kind
      throw new Error(`Layer plan error: unknown layer kind '${String(unknown)}' for '${name}'`)
    }
  }
}

/** A functional model running the plan's layers in order from its input layer. */
export function buildFromPlan(plan: readonly LayerSpec[], config: ModelConfig, seed: number | undefined, modelName: string): tf.LayersModel {
  const [input, ...rest] = plan
  if (input?.kind !== 'input') throw new Error(`Layer plan error: '${modelName}' must start with an input layer`)
  const inputTensor = tf.input({ name: input.name, shape: [...input.outputShape] })
  let output = inputTensor
  for (const spec of rest) for (const layer of layersFor(spec, config, seed)) output = layer.apply(output) as tf.SymbolicTensor
  return tf.model({ name: modelName, inputs: inputTensor, outputs: output })
}
