import * as tf from '@tensorflow/tfjs'
import type { CudaReport } from '../../shared/api/cuda-doctor'
import { BACKEND_LADDER, type BackendAttempt, type BackendName } from '../../shared/api/engine'
import { type CudaRung, cudaPackageLoaded, startCudaRung } from './cuda-rung'
import { registerWasmGradientKernels } from './wasm-kernels'
import { type WasmStart, startWasmBackend } from './wasm-kernels/threads'

/** How the wasm backend started (threads and why), once it has. */
let wasmThreads: WasmStart | null = null
/** How the tensorflow-gpu rung went (with the CUDA doctor's report), once it was tried. */
let cudaRung: CudaRung | null = null

/**
 * The backend ladder: the first rung that loads wins, unless the user names one. Every rung tried is recorded
 * with the reason it was or was not taken, so the UI and `doctor` can explain the choice — in particular why a
 * GPU the user expected is not being used.
 */
export interface BackendChoice {
  backend: BackendName
  reason: string
  attempts: BackendAttempt[]
  gpu: { available: boolean; reason: string }
  /** The CUDA doctor's report when the tensorflow-gpu rung was tried. */
  cuda: CudaReport | null
}

const NATIVE_PACKAGES = { tensorflow: '@tensorflow/tfjs-node' } as const

export async function selectBackend(requested: BackendName | null): Promise<BackendChoice> {
  const attempts: BackendAttempt[] = []
  const rungs = requested === null ? [...BACKEND_LADDER] : [requested]
  let gpuReason = ''
  for (const backend of rungs) {
    const reason = await tryBackend(backend, requested)
    const ok = reason === null
    const loaded =
      backend === 'wasm' && wasmThreads
        ? `loaded, ${wasmThreads.threads} thread${wasmThreads.threads === 1 ? '' : 's'} (${wasmThreads.reason})`
        : backend === 'tensorflow-gpu' && cudaRung
          ? cudaRung.loaded
          : 'loaded'
    attempts.push({ backend, ok, reason: ok ? loaded : reason })
    if (backend === 'tensorflow-gpu' && !ok) gpuReason = reason
    if (ok) {
      const gpu = backend === 'tensorflow-gpu' && cudaRung ? cudaRung.gpu : { available: false, reason: gpuReason || notTriedReason(requested) }
      const why =
        requested !== null
          ? `chosen by the user (--backend ${requested} or DCGAN_STUDIO_BACKEND)`
          : attempts.length === 1
            ? 'the first rung of the ladder'
            : `the first rung of the ladder that loaded (${attempts.filter((a) => !a.ok).map((a) => a.backend).join(', ')} did not)`
      return { backend, reason: why, attempts, gpu, cuda: cudaRung?.report ?? null }
    }
  }
  const tried = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')
  throw new Error(`No TensorFlow.js backend could be started (${tried}).`)
}

function notTriedReason(requested: BackendName | null): string {
  return requested === null ? 'not tried' : `not tried: the backend was set to ${requested}`
}

/** Loads and activates one backend; returns null on success or the reason it failed. */
async function tryBackend(backend: BackendName, requested: BackendName | null): Promise<string | null> {
  try {
    switch (backend) {
      case 'tensorflow-gpu':
        cudaRung = await startCudaRung(requested === 'tensorflow-gpu')
        return cudaRung.failure
      case 'tensorflow': {
        // tfjs-node-gpu without a GPU is TensorFlow on the CPU already; a second libtensorflow would clash with it.
        const reason = cudaPackageLoaded() ? null : loadNativePackage(NATIVE_PACKAGES[backend])
        if (reason !== null) return reason
        if (!(await tf.setBackend('tensorflow'))) return 'the native TensorFlow backend failed to initialise'
        return null
      }
      case 'wasm': {
        const started = await startWasmBackend()
        wasmThreads = started
        registerWasmGradientKernels()
        return null
      }
      case 'cpu':
        return (await tf.setBackend('cpu')) ? null : 'the JavaScript backend failed to initialise'
      default:
        return assertNeverBackend(backend)
    }
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0] ?? String(err) : String(err)
  }
}

function assertNeverBackend(backend: never): never {
  throw new Error(`unknown backend ${String(backend)}`)
}

/** Why a native package could not be loaded, in words a user can act on; null when it loaded. */
function loadNativePackage(name: string): string | null {
  try {
    // A plain require: these are optional native packages that the bundler leaves alone.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native packages are loaded by name, on demand
    require(name)
    return null
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const code = (err as { code?: string }).code
    if (code === 'MODULE_NOT_FOUND' && message.includes(name)) {
      return `${name} is not installed (an optional dependency; its install step downloads libtensorflow, which needs the internet)`
    }
    if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(message)) {
      return `${name} was built for another Node.js/Electron ABI: ${firstLine(message)}`
    }
    return `${name} failed to load: ${firstLine(message)}`
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text
}
