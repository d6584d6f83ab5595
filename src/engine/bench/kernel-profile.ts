import * as tf from '@tensorflow/tfjs'
import { countGpuDispatches } from '../backend/webgpu/dispatch-count'
import { releaseWasmKernelCaches } from '../backend/wasm-kernels'
import { trainGanStep } from '../train/gan-step'
import type { BenchConfig } from './configs'
import { benchModelConfig, buildGanPair, uniformNoise } from './networks'

export interface KernelTime {
  kernel: string
  ms: number
  calls: number
}

export interface StepProfile {
  name: string
  /** Wall time of the profiled step, and the sum of its kernels' own times. */
  stepMs: number
  kernelMs: number
  kernels: KernelTime[]
  /** GPU programs the profiled step dispatched (webgpu only; null on other backends). */
  dispatches: number | null
}

/**
 * Where one training step's time goes, per kernel name (tf.profile around the engine's trainGanStep,
 * after `warmup` unprofiled steps). Kernels that ours compose from other kernels (wasm-kernels/) count
 * as one: their inner calls bypass the engine and so the profiler. The gap between the step's wall
 * time and its kernels' sum is JavaScript outside kernels (tape, optimizer bookkeeping, tidy). On
 * webgpu it also counts the GPU programs the step dispatched (dispatch-count.ts), what the fused kernels reduce.
 */
export async function profileTrainingStep(config: BenchConfig, warmup = 1): Promise<StepProfile> {
  const { pair, dispose } = buildGanPair(config)
  const model = benchModelConfig(config)
  const side = config.imageSize
  const real = tf.tensor4d(uniformNoise(config.batch * side * side * 3), [config.batch, side, side, 3])
  // The profiler would otherwise read back every kernel's output to look for NaNs.
  const checking = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS')
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false)
  try {
    for (let i = 0; i < warmup; i++) await trainGanStep(pair, real, uniformNoise(config.batch * model.zDim))
    const started = performance.now()
    const { result: info, dispatches } = await countGpuDispatches(() =>
      tf.profile(async () => {
        await trainGanStep(pair, real, uniformNoise(config.batch * model.zDim))
      })
    )
    const stepMs = performance.now() - started
    const byName = new Map<string, KernelTime>()
    for (const kernel of info.kernels) {
      // Ops with a custom gradient (e.g. fusedConv2d__op) are recorded around the kernels they run, which
      // are recorded too; counting both would count that time twice.
      if (kernel.name.endsWith('__op')) continue
      const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0
      const entry = byName.get(kernel.name) ?? { kernel: kernel.name, ms: 0, calls: 0 }
      entry.ms += ms
      entry.calls += 1
      byName.set(kernel.name, entry)
    }
    const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms)
    return {
      name: config.name,
      stepMs,
      kernelMs: kernels.reduce((sum, k) => sum + k.ms, 0),
      kernels,
      dispatches: tf.getBackend() === 'webgpu' ? dispatches : null
    }
  } finally {
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', checking)
    real.dispose()
    dispose()
    releaseWasmKernelCaches()
  }
}
