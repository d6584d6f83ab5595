import * as tf from '@tensorflow/tfjs'
import { installFusedActivationGrads, uninstallFusedActivationGrads } from '../fused-activation-grads'
import { installFusedBatchNorm, uninstallFusedBatchNorm } from '../fused-batch-norm'
import { activationGradKernel } from './activation-grad'
import { adamUpdateKernel } from './adam-update'
import { createAddN } from './add-n'
import { batchNormInferenceGradient, batchNormKernels } from './batch-norm'
import { createConv2DBackpropFilter } from './conv2d-backprop-filter'
import { createMatMul } from './mat-mul'
import { sigmoidCrossEntropyGradient, sigmoidCrossEntropyKernels } from './sigmoid-cross-entropy'

// Kernels of tfjs-backend-webgpu 4.22 replaced: those that give wrong results on the studio's shapes and those
// whose programs are naive. Each module here builds one kernel from the original, keeping the original for the
// cases it leaves alone (see ../README.md).
const replacements: Array<{ kernelName: string; create: (original: tf.KernelFunc) => tf.KernelFunc }> = [
  { kernelName: tf.AddN, create: createAddN },
  { kernelName: tf.BatchMatMul, create: createMatMul },
  { kernelName: tf._FusedMatMul, create: createMatMul },
  { kernelName: tf.Conv2DBackpropFilter, create: createConv2DBackpropFilter }
]

/**
 * tfjs-backend-webgpu's flags the studio sets: its tiled (matrix-product) program for `Conv2DBackpropInput` —
 * every transposed convolution of G, and D's input gradients — instead of the naive one it defaults to.
 */
export const WEBGPU_FLAGS = { WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE: false } as const

/**
 * Kernels tfjs-backend-webgpu does not have, which the studio's own code calls (train/adam.ts, train/loss.ts,
 * ../fused-batch-norm.ts, ../fused-activation-grads.ts).
 */
const additions: tf.KernelConfig[] = [adamUpdateKernel, ...batchNormKernels, activationGradKernel, ...sigmoidCrossEntropyKernels]

const ours = new Set<tf.KernelFunc>()
const originals = new Map<string, tf.KernelConfig>()

/**
 * Installs the studio's webgpu kernels once tfjs-backend-webgpu is loaded, the fused training-mode BatchNorm
 * (../fused-batch-norm.ts) and the one-program activation gradients (../fused-activation-grads.ts). Safe to call
 * again (each kernel is replaced once). Returns the kernel names this module provides.
 */
export function registerWebGpuKernels(): string[] {
  for (const [flag, value] of Object.entries(WEBGPU_FLAGS)) tf.env().set(flag, value)
  installFusedBatchNorm()
  installFusedActivationGrads()
  for (const { kernelName, create } of replacements) {
    const current = tf.getKernel(kernelName, 'webgpu') as tf.KernelConfig | undefined
    if (!current) throw new Error(`tfjs-backend-webgpu has no ${kernelName} kernel to replace; load it before registering the studio's kernels.`)
    if (ours.has(current.kernelFunc)) continue
    const config: tf.KernelConfig = {
      kernelName,
      backendName: 'webgpu',
      kernelFunc: create(current.kernelFunc),
      ...(current.setupFunc ? { setupFunc: current.setupFunc } : {}),
      ...(current.disposeFunc ? { disposeFunc: current.disposeFunc } : {})
    }
    tf.unregisterKernel(kernelName, 'webgpu')
    tf.registerKernel(config)
    ours.add(config.kernelFunc)
    originals.set(kernelName, current)
  }
  for (const addition of additions) {
    if (!(tf.getKernel(addition.kernelName, 'webgpu') as tf.KernelConfig | undefined)) tf.registerKernel(addition)
  }
  // Gradients are registered for every backend, but these kernels exist on webgpu only.
  tf.registerGradient(sigmoidCrossEntropyGradient)
  tf.registerGradient(batchNormInferenceGradient)
  return [...replacements.map((r) => r.kernelName), ...additions.map((a) => a.kernelName)]
}

/**
 * Puts tfjs-backend-webgpu's own kernels back (for tests that show what ours fix, and for measurements) and
 * removes the studio's additions, its fused BatchNorm and activation gradients, so that Adam, BatchNorm and the
 * activations' gradients take tfjs's path again.
 */
export function restoreTfjsWebGpuKernels(): void {
  tf.env().set('WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE', true)
  uninstallFusedBatchNorm()
  uninstallFusedActivationGrads()
  for (const addition of additions) {
    if (tf.getKernel(addition.kernelName, 'webgpu') as tf.KernelConfig | undefined) tf.unregisterKernel(addition.kernelName, 'webgpu')
  }
  for (const [kernelName, original] of originals) {
    tf.unregisterKernel(kernelName, 'webgpu')
    tf.registerKernel(original)
  }
  originals.clear()
}
