import * as tf from '@tensorflow/tfjs'
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter'

// Kernels a DCGAN training step needs that @tensorflow/tfjs-backend-wasm 4.22 does not ship.
// Found by running a full G and D update on wasm (see kernels.test.ts): only the filter gradient
// of conv2d / conv2dTranspose was missing.
const gradientKernels: tf.KernelConfig[] = [conv2dBackpropFilterConfig]

// The wasm kernels ours are composed from; without them the first training step would fail deep
// inside backprop, so say so when registering instead.
const composedFrom = ['Conv2D', 'Transpose', 'Slice', 'Cast']

/**
 * Registers the gradient kernels the wasm backend lacks. Call it after `tf.setBackend('wasm')`.
 * Safe to call again: a kernel that is already registered for wasm (by an earlier call, or by a
 * future tfjs that ships its own) is left alone. Returns the names of the kernels this module
 * provides, the same list on every call.
 */
export function registerWasmGradientKernels(): string[] {
  const missing = composedFrom.filter((name) => !isRegistered(name))
  if (missing.length > 0) {
    throw new Error(
      `The wasm backend's kernels ${missing.join(', ')} are not registered. Import ` +
        `'@tensorflow/tfjs-backend-wasm' before registering the wasm gradient kernels.`
    )
  }
  for (const config of gradientKernels) {
    if (!isRegistered(config.kernelName)) {
      tf.registerKernel(config)
      registeredByUs.add(config.kernelName)
    }
  }
  return gradientKernels.map((config) => config.kernelName).filter((name) => registeredByUs.has(name))
}

const registeredByUs = new Set<string>()

function isRegistered(kernelName: string): boolean {
  return (tf.getKernel(kernelName, 'wasm') as tf.KernelConfig | undefined) != null
}
