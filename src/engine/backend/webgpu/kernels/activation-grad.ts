import type * as tf from '@tensorflow/tfjs'
import { elementwiseProgram, runProgram } from '../run-program'

/**
 * The gradient of ReLU and LeakyReLU in one GPU program: dx = x > 0 ? dy : α·dy (α = 0 for ReLU), registered for
 * 'webgpu' only and called by ../fused-activation-grads.ts. tfjs's own gradients compose it from Step and
 * Multiply (ReLU: 2 programs) or Greater, Multiply and Select (LeakyReLU: 3), and a DCGAN training step takes
 * them 18 (32 px) to 24 (64 px) times.
 *   StudioActivationGrad  {dy, x} (alpha) → dx
 */
export const ACTIVATION_GRAD = 'StudioActivationGrad'

export interface ActivationGradAttrs {
  /** The slope below zero: 0 for ReLU, LeakyReLU's α otherwise. */
  alpha: number
}

const activationGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo }
  const { alpha } = attrs as unknown as ActivationGradAttrs
  const program = elementwiseProgram(
    'studio_activation_grad',
    ['dy', 'x'],
    [...x.shape],
    'alpha : f32,',
    // tfjs's where(x > 0, dy, dy·α) and dy·step(x): x = 0 takes the lower slope in both.
    `setOutputAtIndex(index, select(dy[index] * uniforms.alpha, dy[index], x[index] > 0.0));`
  )
  return runProgram(backend, program, [dy, x], [{ type: 'float32', data: [alpha] }])
}

export const activationGradKernel: tf.KernelConfig = { kernelName: ACTIVATION_GRAD, backendName: 'webgpu', kernelFunc: activationGrad }
