/**
 * The engine side of `npm run bench` (scripts/bench.mjs bundles this file and calls it): our training and
 * generation speed on a chosen backend, and a per-kernel profile of a training step.
 */
import * as tf from '@tensorflow/tfjs'
import { adapterName, type BackendName } from '../../shared/api/engine'
import { selectBackend } from '../backend/select'
import { restoreTfjsWasmKernels } from '../backend/wasm-kernels'
import { startWasmBackend } from '../backend/wasm-kernels/threads'
import { BENCH_CONFIGS } from './configs'

export { BENCH_CONFIGS, FULL_RUN, QUICK_RUN, referencePolicyArgs } from './configs'
export type { BenchConfig, MeasurePolicy } from './configs'
export { measureSpeed } from './speed'
export type { SpeedResult } from './speed'
export { profileTrainingStep } from './kernel-profile'
export type { KernelTime, StepProfile } from './kernel-profile'
export { measureDispatchCost } from './dispatch-cost'
export type { DispatchCost } from './dispatch-cost'

/**
 * Starts the backend to measure. On wasm, `threads` sets XNNPACK's thread pool (default: every core,
 * see wasm-kernels/threads.ts), and `tfjsKernels` puts tfjs-backend-wasm's own kernels back in place
 * of the faster ones from wasm-kernels/ (keeping the filter gradient wasm lacks), for before/after
 * figures. Returns a description for the report.
 */
export async function startBackend(backend: BackendName, options: { tfjsKernels?: boolean; threads?: number } = {}): Promise<string> {
  const wasm = backend === 'wasm' ? await startWasmBackend(options.threads) : null
  const choice = await selectBackend(backend)
  if (options.tfjsKernels && choice.backend === 'wasm') restoreTfjsWasmKernels()
  const adapter = choice.webgpuAdapter
  if (choice.backend === 'webgpu' && adapter) {
    // A software adapter runs the GPU programs on the CPU: its figures check the path, they are not GPU speed.
    return `webgpu on ${adapterName(adapter)}${adapter.software ? ` — a software adapter (${adapter.software}): these figures are not GPU speed` : ''}`
  }
  if (wasm == null) return tf.getBackend()
  return `${tf.getBackend()}, ${wasm.threads} thread${wasm.threads === 1 ? '' : 's'} (${wasm.reason})`
}

export function benchConfig(name: string) {
  const config = BENCH_CONFIGS.find((c) => c.name === name)
  if (config == null) throw new Error(`No bench configuration '${name}'. Known: ${BENCH_CONFIGS.map((c) => c.name).join(', ')}.`)
  return config
}
