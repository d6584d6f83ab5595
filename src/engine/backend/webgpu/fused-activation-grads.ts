import * as tf from '@tensorflow/tfjs'
import { ACTIVATION_GRAD, type ActivationGradAttrs } from './kernels/activation-grad'

/**
 * ReLU's and LeakyReLU's gradients in one GPU program each (kernels/activation-grad.ts) instead of tfjs's 2 and 3,
 * on the webgpu backend: with the fused Adam and BatchNorm, these composites were the most frequent programs left
 * in a DCGAN training step, whose speed on a GPU is bound by how many programs it dispatches.
 *
 * Gradients are registered in tfjs for every backend at once, so each is wrapped: on webgpu, for float32 values,
 * it runs the studio's kernel; anywhere else it calls tfjs's own gradient, unchanged. The values are those of
 * tfjs's composite (one select instead of a mask and a multiply; the tests compare it with cpu).
 */

const FUSED: ReadonlyArray<{ kernelName: string; alpha: (attrs: tf.NamedAttrMap) => number }> = [
  { kernelName: tf.Relu, alpha: () => 0 },
  { kernelName: tf.LeakyRelu, alpha: (attrs) => (attrs as unknown as { alpha: number }).alpha }
]

const originals = new Map<string, tf.GradConfig>()

function fusable(dy: tf.Tensor, x: tf.Tensor): boolean {
  return (
    tf.getBackend() === 'webgpu' &&
    (tf.getKernel(ACTIVATION_GRAD, 'webgpu') as tf.KernelConfig | undefined) !== undefined &&
    dy.dtype === 'float32' &&
    x.dtype === 'float32'
  )
}

/** Wraps tfjs's ReLU and LeakyReLU gradients (once; safe to call again). */
export function installFusedActivationGrads(): void {
  for (const { kernelName, alpha } of FUSED) {
    if (originals.has(kernelName)) continue
    const original = tf.getGradient(kernelName)
    originals.set(kernelName, original)
    tf.registerGradient({
      ...original,
      gradFunc: (dy, saved, attrs) => {
        const x = saved[0]
        if (Array.isArray(dy) || !x || !fusable(dy, x)) return original.gradFunc(dy, saved, attrs)
        const kernelAttrs: ActivationGradAttrs = { alpha: alpha(attrs) }
        return { x: () => tf.engine().runKernel<tf.Tensor>(ACTIVATION_GRAD, { dy, x }, kernelAttrs as unknown as tf.NamedAttrMap) }
      }
    })
  }
}

/** Puts tfjs's own gradients back. */
export function uninstallFusedActivationGrads(): void {
  for (const [, original] of originals) tf.registerGradient(original)
  originals.clear()
}
