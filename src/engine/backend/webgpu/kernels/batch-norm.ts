import * as tf from '@tensorflow/tfjs'
import { backwardInputProgram, backwardSumsProgram, channelStatsProgram, movingAverageProgram, normalizeProgram, rowProgram } from '../batch-norm-programs'
import { runProgram, webGpuBackend } from '../run-program'

/**
 * The kernels of the fused training-mode BatchNorm (../fused-batch-norm.ts), registered for 'webgpu' only, so
 * that the profile names them and times them like tfjs's own. Each takes x as [rows, channels]; `stats` is
 * [2, channels] (batch mean, biased variance).
 *   StudioBatchNormTraining  {x, gamma, beta} → [y, stats]              2 programs
 *   StudioBatchNormGrad      {dy, x, stats, gamma} → [dx, dγ, dβ]        4 programs
 *   StudioMovingAverage      {moving, stats} (row: 0 mean, 1 variance)   1 program
 */
export const BATCH_NORM_TRAINING = 'StudioBatchNormTraining'
export const BATCH_NORM_GRAD = 'StudioBatchNormGrad'
export const MOVING_AVERAGE = 'StudioMovingAverage'

export interface BatchNormAttrs {
  epsilon: number
}

export interface MovingAverageAttrs {
  row: 0 | 1
  /** 1 − momentum. */
  decay: number
}

function shapeOf(x: tf.TensorInfo): { rows: number; channels: number } {
  const [rows, channels] = x.shape as [number, number]
  return { rows, channels }
}

function reductionUniforms(rows: number, channels: number, epsilon: number) {
  return [
    { type: 'int32' as const, data: [rows] },
    { type: 'int32' as const, data: [channels] },
    { type: 'float32' as const, data: [epsilon] }
  ]
}

const training: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo }
  const { epsilon } = attrs as unknown as BatchNormAttrs
  const { rows, channels } = shapeOf(x)
  const stats = runProgram(backend, channelStatsProgram(channels), [x], reductionUniforms(rows, channels, epsilon))
  const y = runProgram(
    backend,
    normalizeProgram(rows, channels),
    [x, stats, gamma, beta],
    [
      { type: 'int32', data: [channels] },
      { type: 'float32', data: [epsilon] }
    ]
  )
  return [y, stats]
}

const grad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, stats, gamma } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; stats: tf.TensorInfo; gamma: tf.TensorInfo }
  const { epsilon } = attrs as unknown as BatchNormAttrs
  const { rows, channels } = shapeOf(x)
  const uniforms = reductionUniforms(rows, channels, epsilon)
  const sums = runProgram(backend, backwardSumsProgram(channels), [dy, x, stats], uniforms)
  try {
    const dx = runProgram(backend, backwardInputProgram(rows, channels), [dy, x, stats, gamma, sums], uniforms)
    const row = (index: number): tf.TensorInfo => runProgram(backend, rowProgram(channels), [sums], [{ type: 'int32', data: [index] }])
    return [dx, row(1), row(0)]
  } finally {
    webGpuBackend(backend).disposeData(sums.dataId)
  }
}

const movingAverage: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { moving, stats } = inputs as { moving: tf.TensorInfo; stats: tf.TensorInfo }
  const { row, decay } = attrs as unknown as MovingAverageAttrs
  return runProgram(
    backend,
    movingAverageProgram(moving.shape[0] as number),
    [moving, stats],
    [
      { type: 'int32', data: [row] },
      { type: 'float32', data: [decay] }
    ]
  )
}

export const batchNormKernels: tf.KernelConfig[] = [
  { kernelName: BATCH_NORM_TRAINING, backendName: 'webgpu', kernelFunc: training },
  { kernelName: BATCH_NORM_GRAD, backendName: 'webgpu', kernelFunc: grad },
  { kernelName: MOVING_AVERAGE, backendName: 'webgpu', kernelFunc: movingAverage }
]
