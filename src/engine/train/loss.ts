import * as tf from '@tensorflow/tfjs'
import { SIGMOID_CROSS_ENTROPY, type SigmoidCrossEntropyAttrs } from '../backend/webgpu/kernels/sigmoid-cross-entropy'

/**
 * Mean binary cross-entropy of sigmoid(logits) against a constant label, from D's logits (so a confident D gives
 * large finite losses instead of log(0)). On webgpu it is one GPU program forward and one backward
 * (backend/webgpu/kernels/sigmoid-cross-entropy.ts), where tfjs's composite dispatches 27 in all and a step takes
 * it three times; on every other backend it is tfjs's `losses.sigmoidCrossEntropy`, unchanged.
 */
export function binaryCrossEntropyWithLogits(logits: tf.Tensor, label: 0 | 1): tf.Scalar {
  if (tf.getBackend() === 'webgpu' && logits.dtype === 'float32' && (tf.getKernel(SIGMOID_CROSS_ENTROPY, 'webgpu') as tf.KernelConfig | undefined)) {
    const attrs: SigmoidCrossEntropyAttrs = { label }
    return tf.engine().runKernel<tf.Scalar>(SIGMOID_CROSS_ENTROPY, { logits }, attrs as unknown as tf.NamedAttrMap)
  }
  return tf.tidy(() => {
    const labels = label === 1 ? tf.onesLike(logits) : tf.zerosLike(logits)
    return tf.losses.sigmoidCrossEntropy<tf.Tensor, tf.Scalar>(labels, logits)
  })
}
