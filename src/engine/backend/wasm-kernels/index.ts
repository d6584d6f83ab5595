import * as tf from '@tensorflow/tfjs'
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter'
import { createConv2dBackpropInput, phaseFilters } from './conv2d-backprop-input'
import { createIdentity } from './identity'
import { createLeadingReduction } from './reduce-leading'
import { createTile } from './tile'

// Kernels a DCGAN training step needs that @tensorflow/tfjs-backend-wasm 4.22 does not ship.
// Found by running a full G and D update on wasm (see kernels.test.ts): only the filter gradient
// of conv2d / conv2dTranspose was missing.
const gradientKernels: tf.KernelConfig[] = [conv2dBackpropFilterConfig]

// Kernels wasm ships but runs far below XNNPACK's speed or memory speed; ours replace them, keeping
// the original for the cases they do not cover.
const replacements: Array<{ kernelName: string; create: (original: tf.KernelFunc) => tf.KernelFunc }> = [
  { kernelName: tf.Conv2DBackpropInput, create: createConv2dBackpropInput },
  { kernelName: tf.Tile, create: createTile },
  { kernelName: tf.Sum, create: (original) => createLeadingReduction('Sum', original) },
  { kernelName: tf.Mean, create: (original) => createLeadingReduction('Mean', original) },
  { kernelName: tf.Identity, create: createIdentity }
]

// The wasm kernels ours are composed from or stand in for; without them the first training step
// would fail deep inside backprop, so say so when registering instead.
const composedFrom = ['Conv2D', 'Conv2DBackpropInput', 'Transpose', 'Slice', 'Cast', 'Concat', 'Tile', 'Sum', 'Mean', 'Identity']

/**
 * Registers the gradient kernels the wasm backend lacks, and replaces the slow ones it has. Call it
 * after `tf.setBackend('wasm')`. Safe to call again: a missing kernel that is already registered for
 * wasm (by an earlier call, or by a future tfjs that ships its own) is left alone, and a replacement
 * is installed once. Returns the names of the kernels this module provides, the same list on every
 * call.
 */
export function registerWasmGradientKernels(): string[] {
  const missing = composedFrom.filter((name) => getWasmKernel(name) == null)
  if (missing.length > 0) {
    throw new Error(
      `The wasm backend's kernels ${missing.join(', ')} are not registered. Import ` +
        `'@tensorflow/tfjs-backend-wasm' before registering the wasm gradient kernels.`
    )
  }
  for (const config of gradientKernels) {
    if (getWasmKernel(config.kernelName) == null) {
      tf.registerKernel(config)
      registeredByUs.add(config.kernelName)
    }
  }
  for (const { kernelName, create } of replacements) {
    const current = getWasmKernel(kernelName)
    if (current == null || replacedKernels.has(current.kernelFunc)) continue
    const original = current
    // The original's setup (binding its wasm function) has to run whenever the backend
    // initialises, because our kernel may hand a call to it.
    const config: tf.KernelConfig = {
      kernelName,
      backendName: 'wasm',
      kernelFunc: create(original.kernelFunc),
      ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}),
      ...(original.disposeFunc ? { disposeFunc: original.disposeFunc } : {})
    }
    tf.unregisterKernel(kernelName, 'wasm')
    tf.registerKernel(config)
    replacedKernels.add(config.kernelFunc)
    originals.set(kernelName, original)
    registeredByUs.add(kernelName)
  }
  const provided = [...gradientKernels.map((config) => config.kernelName), ...replacements.map((r) => r.kernelName)]
  return provided.filter((name) => registeredByUs.has(name))
}

/**
 * Puts tfjs-backend-wasm's own kernels back where ours replaced them (the missing gradient kernels
 * stay, since training cannot run without them). For measuring before and after; calling
 * `registerWasmGradientKernels` again installs ours again.
 */
export function restoreTfjsWasmKernels(): void {
  for (const [kernelName, original] of originals) {
    tf.unregisterKernel(kernelName, 'wasm')
    tf.registerKernel(original)
    registeredByUs.delete(kernelName)
  }
  originals.clear()
  phaseFilters.clear()
}

const registeredByUs = new Set<string>()
const replacedKernels = new Set<tf.KernelFunc>()
const originals = new Map<string, tf.KernelConfig>()

// tfjs declares getKernel as always returning a config, but it returns undefined when none is registered.
const findKernel: (kernelName: string, backendName: string) => tf.KernelConfig | undefined = tf.getKernel

/** The kernel registered for wasm under this name, if any. */
export function getWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return findKernel(kernelName, 'wasm')
}

/**
 * Frees the rearranged filters the fast kernels keep for the weights in use (they are freed on
 * their own one call after their weight is disposed). For tests that count wasm buffers, and for
 * handing memory back when training stops.
 */
export function releaseWasmKernelCaches(): void {
  phaseFilters.clear()
}
