import * as tf from '@tensorflow/tfjs'
import type { CudaReport } from '../../shared/api/cuda-doctor'
import { adapterName, BACKEND_LADDER, type BackendAttempt, type BackendName, type WebGpuAdapter } from '../../shared/api/engine'
import { type CudaRung, cudaPackageLoaded, startCudaRung } from './cuda-rung'
import { registerWasmGradientKernels } from './wasm-kernels'
import { type WasmStart, startWasmBackend } from './wasm-kernels/threads'
import { releaseWebGpu, startWebGpuBackend, type WebGpuStart } from './webgpu'

/** How the wasm backend started (threads and why), once it has. */
let wasmThreads: WasmStart | null = null
/** How the tensorflow-gpu rung went (with the CUDA doctor's report), once it was tried. */
let cudaRung: CudaRung | null = null
/** How the webgpu rung went, once tried. */
let webgpu: WebGpuStart | null = null

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
  /** The WebGPU adapter Dawn offered, when the webgpu rung was tried and found one. */
  webgpuAdapter: WebGpuAdapter | null
}

const NATIVE_PACKAGES = { tensorflow: '@tensorflow/tfjs-node' } as const

export async function selectBackend(requested: BackendName | null): Promise<BackendChoice> {
  const attempts: BackendAttempt[] = []
  const rungs = requested === null ? [...BACKEND_LADDER] : [requested]
  const gpuReasons: string[] = []
  webgpu = null
  for (const backend of rungs) {
    const reason = await tryBackend(backend, requested)
    const ok = reason === null
    attempts.push({ backend, ok, reason: ok ? loadedReason(backend) : reason })
    if ((backend === 'tensorflow-gpu' || backend === 'webgpu') && !ok) gpuReasons.push(`${backend}: ${reason}`)
    if (ok) {
      const gpu =
        backend === 'tensorflow-gpu' && cudaRung
          ? cudaRung.gpu
          : backend === 'webgpu'
            ? webGpuInUse()
            : { available: false, reason: gpuReasons.join('; ') || notTriedReason(requested) }
      const why =
        requested !== null
          ? `chosen by the user (--backend ${requested} or DCGAN_STUDIO_BACKEND)`
          : attempts.length === 1
            ? 'the first rung of the ladder'
            : `the first rung of the ladder that loaded (${attempts
                .filter((a) => !a.ok)
                .map((a) => a.backend)
                .join(', ')} did not)`
      return { backend, reason: why, attempts, gpu, cuda: cudaRung?.report ?? null, webgpuAdapter: webGpuAdapterSeen() }
    }
  }
  const tried = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')
  throw new Error(`No TensorFlow.js backend could be started (${tried}).`)
}

function notTriedReason(requested: BackendName | null): string {
  return requested === null ? 'not tried' : `not tried: the backend was set to ${requested}`
}

// A function, not an expression in selectBackend: tryBackend sets `webgpu`, which the compiler cannot see there.
function webGpuAdapterSeen(): WebGpuAdapter | null {
  return webgpu?.adapter ?? null
}

function loadedReason(backend: BackendName): string {
  if (backend === 'wasm' && wasmThreads) return `loaded, ${wasmThreads.threads} thread${wasmThreads.threads === 1 ? '' : 's'} (${wasmThreads.reason})`
  if (backend === 'webgpu' && webgpu) return webgpu.reason
  if (backend === 'tensorflow-gpu' && cudaRung) return cudaRung.loaded
  return 'loaded'
}

/** A software adapter runs, but on the CPU: the GPU is not in use then, and the status says so. */
function webGpuInUse(): { available: boolean; reason: string } {
  const adapter = webgpu?.adapter
  if (!adapter) return { available: false, reason: 'webgpu started without an adapter' }
  if (adapter.software) return { available: false, reason: `WebGPU runs on ${adapterName(adapter)}, a software adapter: ${adapter.software}` }
  return { available: true, reason: `WebGPU on ${adapterName(adapter)}` }
}

/**
 * Frees what the backend holds outside the JavaScript heap that would keep the engine process alive or the GPU
 * busy (Dawn and the WebGPU device). The engine calls it before it exits.
 */
export function releaseBackend(): void {
  releaseWebGpu()
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
      case 'webgpu': {
        // Only a user who names the backend gets a software adapter (tests run that way on SwiftShader).
        webgpu = await startWebGpuBackend({ forced: requested === 'webgpu' })
        return webgpu.ok ? null : webgpu.reason
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
    return err instanceof Error ? (err.message.split('\n')[0] ?? String(err)) : String(err)
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
