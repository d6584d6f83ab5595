import * as tf from '@tensorflow/tfjs'
import { elementwiseProgram, flatProgram, REDUCE_THREADS, runProgram, type StudioProgram, WORKGROUP_SUM } from '../run-program'

/**
 * The DCGAN's loss in one GPU program forward and one backward: the mean binary cross-entropy of sigmoid(logits)
 * against a constant label (1 for real, 0 for fake), registered for 'webgpu' only and called by
 * ../../../train/loss.ts. tfjs's `losses.sigmoidCrossEntropy` composes it from about ten programs each way
 * (a label tensor, ReLU, Multiply, Sub, Abs, Neg, Exp, Log1p, Add, Sum, RealDiv and their gradients), and a
 * training step takes it three times.
 *   StudioSigmoidCrossEntropy      {logits} (label) → mean of max(x, 0) − x·label + log(1 + e^−|x|)   (a scalar)
 *   StudioSigmoidCrossEntropyGrad  {dy, logits} (label) → dy · (sigmoid(x) − label) / n
 */
export const SIGMOID_CROSS_ENTROPY = 'StudioSigmoidCrossEntropy'
export const SIGMOID_CROSS_ENTROPY_GRAD = 'StudioSigmoidCrossEntropyGrad'

export interface SigmoidCrossEntropyAttrs {
  /** The target probability every logit is compared with: 1 (real) or 0 (fake). */
  label: number
}

// log(1 + u) for u in [0, 1] without losing a small u to rounding (WGSL has no log1p): where 1 + u rounds to 1 it
// is u; elsewhere log(w)·u/(w − 1) corrects for the rounding of w = 1 + u (Goldberg's method). tfjs's cpu
// backend uses Math.log1p, which this matches where the plain log(1 + u) of tfjs's webgpu Log1p gives 0.
const LOG1P = `
  fn log1pSmall(u : f32) -> f32 {
    let w = 1.0 + u;
    if (w == 1.0) {
      return u;
    }
    return log(w) * u / (w - 1.0);
  }`

function lossProgram(): StudioProgram {
  return flatProgram(
    {
      outputShape: [],
      shaderKey: 'studio_sigmoid_cross_entropy',
      variableNames: ['logits'],
      workgroupSize: [REDUCE_THREADS, 1, 1],
      uniforms: 'count : i32, label : f32,',
      getUserCode: () => `
        ${WORKGROUP_SUM}
        ${LOG1P}
        fn main(index : i32) {
          var sum = 0.0;
          for (var i = i32(localId.x); i < uniforms.count; i = i + ${REDUCE_THREADS}) {
            let x = logits[i];
            // tfjs's formulation, stable for logits of any size: relu(x) − x·label + log1p(exp(−|x|)).
            sum = sum + (max(x, 0.0) - x * uniforms.label + log1pSmall(exp(-abs(x))));
          }
          let total = workgroupSum(sum);
          if (localId.x == 0u) {
            setOutputAtIndex(0, total / f32(uniforms.count));
          }
        }`
    },
    1
  )
}

const loss: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { logits } = inputs as { logits: tf.TensorInfo }
  const { label } = attrs as unknown as SigmoidCrossEntropyAttrs
  const count = tf.util.sizeFromShape(logits.shape)
  return runProgram(
    backend,
    lossProgram(),
    [logits],
    [
      { type: 'int32', data: [count] },
      { type: 'float32', data: [label] }
    ]
  )
}

const lossGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, logits } = inputs as { dy: tf.TensorInfo; logits: tf.TensorInfo }
  const { label } = attrs as unknown as SigmoidCrossEntropyAttrs
  const count = tf.util.sizeFromShape(logits.shape)
  const program = elementwiseProgram(
    'studio_sigmoid_cross_entropy_grad',
    ['dy', 'logits'],
    [...logits.shape],
    'label : f32, scale : f32,',
    // The derivative of relu(x) − x·label + log1p(e^−|x|) is sigmoid(x) − label on both sides of 0.
    `setOutputAtIndex(index, dy[0] * (1.0 / (1.0 + exp(-logits[index])) - uniforms.label) * uniforms.scale);`
  )
  return runProgram(
    backend,
    program,
    [dy, logits],
    [
      { type: 'float32', data: [label] },
      { type: 'float32', data: [1 / count] }
    ]
  )
}

export const sigmoidCrossEntropyKernels: tf.KernelConfig[] = [
  { kernelName: SIGMOID_CROSS_ENTROPY, backendName: 'webgpu', kernelFunc: loss },
  { kernelName: SIGMOID_CROSS_ENTROPY_GRAD, backendName: 'webgpu', kernelFunc: lossGrad }
]

/** The loss kernel's gradient, through the gradient kernel; registered with tfjs's gradients (any backend). */
export const sigmoidCrossEntropyGradient: tf.GradConfig = {
  kernelName: SIGMOID_CROSS_ENTROPY,
  inputsToSave: ['logits'],
  gradFunc: (dy, saved, attrs) => {
    const [logits] = saved as [tf.Tensor]
    return { logits: () => tf.engine().runKernel<tf.Tensor>(SIGMOID_CROSS_ENTROPY_GRAD, { dy: dy as tf.Tensor, logits }, attrs) }
  }
}
