import * as tf from '@tensorflow/tfjs'
import {
  BACKWARD_OUTPUTS_PROGRAM,
  MOVING_AVERAGES_PROGRAM,
  backwardSumsProgram,
  channelStatsProgram,
  inferenceProgram,
  normalizeProgram
} from '../batch-norm-programs'
import { runMultiOutputProgram } from '../multi-output'
import { webGpuBackend } from '../backend-internals'
import { runProgram } from '../run-program'

/**
 * The kernels of the fused BatchNorm (../fused-batch-norm.ts), registered for 'webgpu' only, so that the profile
 * names them and times them like tfjs's own. Each takes x as [rows, channels]; `stats` is [2, channels] (batch
 * mean, biased variance); α is the slope below zero of the activation applied to y in the same program
 * (../batch-norm-programs.ts): 0 for ReLU, LeakyReLU's, or 1 for none.
 *   StudioBatchNormTraining  {x, gamma, beta} (ε, α) → [y, stats]                 2 programs
 *   StudioBatchNormGrad      {dy, x, stats, gamma, y} (ε, α) → [dx, dγ, dβ]        2 programs
 *   StudioMovingAverages     {mean, variance, stats} (decay) → [mean′, variance′]  1 program
 *   StudioBatchNormInference {x, mean, variance, gamma, beta} (ε, α) → y           1 program (moving statistics)
 */
export const BATCH_NORM_TRAINING = 'StudioBatchNormTraining'
export const BATCH_NORM_GRAD = 'StudioBatchNormGrad'
export const MOVING_AVERAGES = 'StudioMovingAverages'
export const BATCH_NORM_INFERENCE = 'StudioBatchNormInference'

export interface BatchNormAttrs {
  epsilon: number
  /** The activation's slope below zero (≥ 0), or 1 for no activation. */
  alpha: number
}

export interface MovingAveragesAttrs {
  /** 1 − momentum. */
  decay: number
}

function shapeOf(x: tf.TensorInfo): { rows: number; channels: number } {
  const [rows, channels] = x.shape as [number, number]
  return { rows, channels }
}

function reductionUniforms(rows: number, channels: number, { epsilon, alpha }: BatchNormAttrs) {
  return [
    { type: 'int32' as const, data: [rows] },
    { type: 'int32' as const, data: [channels] },
    { type: 'float32' as const, data: [epsilon] },
    { type: 'float32' as const, data: [alpha] }
  ]
}

const training: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo }
  const bn = attrs as unknown as BatchNormAttrs
  const { rows, channels } = shapeOf(x)
  const stats = runProgram(backend, channelStatsProgram(channels), [x], reductionUniforms(rows, channels, bn))
  const y = runProgram(
    backend,
    normalizeProgram(rows, channels),
    [x, stats, gamma, beta],
    [
      { type: 'int32', data: [channels] },
      { type: 'float32', data: [bn.epsilon] },
      { type: 'float32', data: [bn.alpha] }
    ]
  )
  return [y, stats]
}

const grad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, stats, gamma, y } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; stats: tf.TensorInfo; gamma: tf.TensorInfo; y: tf.TensorInfo }
  const bn = attrs as unknown as BatchNormAttrs
  const { rows, channels } = shapeOf(x)
  const sums = runProgram(backend, backwardSumsProgram(channels), [dy, x, stats, y], reductionUniforms(rows, channels, bn))
  try {
    const uniforms = [
      { type: 'uint32' as const, data: [rows * channels] },
      { type: 'uint32' as const, data: [rows] },
      { type: 'uint32' as const, data: [channels] },
      { type: 'float32' as const, data: [bn.epsilon] },
      { type: 'float32' as const, data: [bn.alpha] }
    ]
    return runMultiOutputProgram(
      backend,
      BACKWARD_OUTPUTS_PROGRAM,
      [dy, x, y, gamma, sums],
      [[rows, channels], [channels], [channels]],
      uniforms,
      rows * channels
    )
  } finally {
    webGpuBackend(backend).disposeData(sums.dataId)
  }
}

const movingAverages: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { mean, variance, stats } = inputs as { mean: tf.TensorInfo; variance: tf.TensorInfo; stats: tf.TensorInfo }
  const { decay } = attrs as unknown as MovingAveragesAttrs
  const channels = mean.shape[0] as number
  const uniforms = [
    { type: 'uint32' as const, data: [channels] },
    { type: 'float32' as const, data: [decay] }
  ]
  return runMultiOutputProgram(backend, MOVING_AVERAGES_PROGRAM, [mean, variance, stats], [[channels], [channels]], uniforms, channels)
}

const inference: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, mean, variance, gamma, beta } = inputs as Record<'x' | 'mean' | 'variance' | 'gamma' | 'beta', tf.TensorInfo>
  const bn = attrs as unknown as BatchNormAttrs
  const { rows, channels } = shapeOf(x)
  return runProgram(
    backend,
    inferenceProgram(rows, channels),
    [x, mean, variance, gamma, beta],
    [
      { type: 'int32', data: [channels] },
      { type: 'float32', data: [bn.epsilon] },
      { type: 'float32', data: [bn.alpha] }
    ]
  )
}

/**
 * The inference kernel's gradient with respect to x, γ/√(variance + ε) · select(α·dy, dy, y > 0) (a projection
 * to z takes G's gradient through it). The statistics, γ and β are constants of inference: a gradient asked of
 * them is refused by name.
 */
export const batchNormInferenceGradient: tf.GradConfig = {
  kernelName: BATCH_NORM_INFERENCE,
  inputsToSave: ['variance', 'gamma'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [variance, gamma, y] = saved as [tf.Tensor, tf.Tensor, tf.Tensor]
    const { epsilon, alpha } = attrs as unknown as BatchNormAttrs
    const refuse = (name: string) => (): tf.Tensor => {
      throw new Error(`${BATCH_NORM_INFERENCE} gives no gradient with respect to ${name}: it runs BatchNorm for inference only.`)
    }
    return {
      x: () => {
        const through = tf.where(tf.greater(y, 0), dy as tf.Tensor, tf.mul(dy as tf.Tensor, alpha))
        return tf.mul(through, tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon))))
      },
      mean: refuse('the moving mean'),
      variance: refuse('the moving variance'),
      gamma: refuse('γ'),
      beta: refuse('β')
    }
  }
}

export const batchNormKernels: tf.KernelConfig[] = [
  { kernelName: BATCH_NORM_TRAINING, backendName: 'webgpu', kernelFunc: training },
  { kernelName: BATCH_NORM_GRAD, backendName: 'webgpu', kernelFunc: grad },
  { kernelName: BATCH_NORM_INFERENCE, backendName: 'webgpu', kernelFunc: inference },
  { kernelName: MOVING_AVERAGES, backendName: 'webgpu', kernelFunc: movingAverages }
]
