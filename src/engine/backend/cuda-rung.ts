import * as fs from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import type { CudaReport } from '../../shared/api/cuda-doctor'
import { diagnoseThisMachine } from '../../node/cuda-doctor'

export const CUDA_PACKAGE = '@tensorflow/tfjs-node-gpu'

/** How the tensorflow-gpu rung went, with the CUDA doctor's word on it. */
export interface CudaRung {
  /** Why the rung was not taken; null when it was. */
  failure: string | null
  /** The attempt's reason when the rung was taken. */
  loaded: string
  gpu: { available: boolean; reason: string }
  report: CudaReport
}

let packageLoaded = false

/** Whether tfjs-node-gpu was loaded into this process (it registers the 'tensorflow' backend, on the CPU if no GPU). */
export function cudaPackageLoaded(): boolean {
  return packageLoaded
}

/**
 * Loads tfjs-node-gpu and checks that libtensorflow registered a GPU: it loads fine without CUDA and then runs
 * everything on the CPU, so "loaded" proves nothing. When there is no GPU the ladder moves on (a forced
 * tensorflow-gpu keeps it, on the CPU, and says so); either way the doctor's summary is the reason.
 */
export async function startCudaRung(forced: boolean): Promise<CudaRung> {
  const version = installedVersion()
  let loadError: string | null = null
  if (version !== null) {
    try {
      // A plain require: an optional native package the bundler leaves alone.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native packages are loaded by name, on demand
      require(CUDA_PACKAGE)
      packageLoaded = true
    } catch (err) {
      loadError = err instanceof Error ? err.message : String(err)
    }
  }
  if (!packageLoaded) {
    const report = diagnoseThisMachine({ version, loadError })
    return { failure: report.summary, loaded: '', gpu: { available: false, reason: report.summary }, report }
  }
  if (!(await tf.setBackend('tensorflow'))) {
    const report = diagnoseThisMachine({ version, loadError: 'the native TensorFlow backend failed to initialise' })
    return { failure: report.summary, loaded: '', gpu: { available: false, reason: report.summary }, report }
  }
  const gpuDevice = (tf.backend() as unknown as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true
  const report = diagnoseThisMachine({ version, gpuDevice })
  if (!gpuDevice) {
    const gpu = { available: false, reason: report.summary }
    if (!forced) return { failure: report.summary, loaded: '', gpu, report }
    return { failure: null, loaded: `loaded on the CPU: ${report.summary}`, gpu, report }
  }
  const warnings = report.findings.filter((f) => f.level === 'warning').map((f) => f.message)
  const reason = ['libtensorflow registered GPU:0', ...warnings].join('; ')
  return { failure: null, loaded: 'loaded, GPU:0', gpu: { available: true, reason }, report }
}

function installedVersion(): string | null {
  try {
    const file = require.resolve(`${CUDA_PACKAGE}/package.json`)
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown'
  } catch {
    return null
  }
}
