import * as tf from '@tensorflow/tfjs'
import type { ModelConfig } from '../../shared/formats/model'
import { batchNorm, kernelInit } from './init'
import type { LayerSpec } from './layers'

/**
 * Turns a layer plan from layers.ts into a tfjs model. Both builders go through here, so a built model has
 * exactly the planned layers, names and shapes, and the plan stays the one place the architecture is written.
 */

/** The tfjs layer for one planned layer. Every conv is stride 2 with 'same' padding, so it halves or doubles. */
function layerFor(spec: LayerSpec, config: ModelConfig, seed: number | undefined): tf.layers.Layer {
  const { name } = spec
  const channels = spec.outputShape[spec.outputShape.length - 1] ?? 0
  // No biases anywhere: BatchNorm's beta takes their place, and PyTorch's DCGAN has none on the other layers.
  const conv = {
    filters: channels,
    kernelSize: config.kernelSize,
    strides: 2,
    padding: 'same' as const,
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
  for (const spec of rest) output = layerFor(spec, config, seed).apply(output) as tf.SymbolicTensor
  return tf.model({ name: modelName, inputs: inputTensor, outputs: output })
}
