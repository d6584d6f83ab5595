import * as tf from '@tensorflow/tfjs'
import { createAddN } from './add-n'
import { createMatMul } from './mat-mul'

// Kernels of tfjs-backend-webgpu 4.22 that give wrong results on the studio's shapes, replaced: each module
// here builds one kernel from the original, keeping the original for the cases it leaves alone. Faster convolution kernels belong here too,
// one module each (see ../README.md).
const replacements: Array<{ kernelName: string; create: (original: tf.KernelFunc) => tf.KernelFunc }> = [
  { kernelName: tf.AddN, create: createAddN },
  { kernelName: tf.BatchMatMul, create: createMatMul },
  { kernelName: tf._FusedMatMul, create: createMatMul }
]

const ours = new Set<tf.KernelFunc>()
const originals = new Map<string, tf.KernelConfig>()

/**
 * Installs the studio's webgpu kernels once tfjs-backend-webgpu is loaded. Safe to call again (each kernel is
 * replaced once). Returns the kernel names this module provides.
 */
export function registerWebGpuKernels(): string[] {
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
  return replacements.map((r) => r.kernelName)
}

/** Puts tfjs-backend-webgpu's own kernels back (for tests that show what ours fix, and for measurements). */
export function restoreTfjsWebGpuKernels(): void {
  for (const [kernelName, original] of originals) {
    tf.unregisterKernel(kernelName, 'webgpu')
    tf.registerKernel(original)
  }
  originals.clear()
}
