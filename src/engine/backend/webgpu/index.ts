import * as tf from '@tensorflow/tfjs'
import { adapterName, type WebGpuAdapter } from '../../../shared/api/engine'
import { describeAdapter } from './adapter'
import { INTERNALS_VERSION, missingInternals } from './backend-internals'
import { installDawn, uninstallDawn } from './dawn'
import { registerWebGpuKernels } from './kernels'
import { explainMissingAdapter, findVulkanLoader, realSystem } from './no-adapter'

/** How the webgpu rung went: started or not, why, and the adapter Dawn offered (null when none). */
export interface WebGpuStart {
  ok: boolean
  reason: string
  adapter: WebGpuAdapter | null
}

interface WebGpuDevice {
  readonly limits: Readonly<Record<string, number>>
  destroy(): void
}

// tfjs-backend-webgpu registers its backend factory when it is first loaded, and tf.removeBackend drops the
// factory with the backend; kept here so the backend can be started again after a release (tests do).
let webgpuFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | null = null
/** How the backend that is running now was started; null when none runs. */
let running: WebGpuStart | null = null

/**
 * Starts tfjs-backend-webgpu on the adapter Dawn offers (the high-performance one, as the backend itself asks
 * for). Unless `forced` (the user named the backend), a software adapter is refused, and on Linux Dawn is not
 * even loaded when the dynamic linker has no Vulkan loader to give it (Dawn would find no adapter, after
 * loading 21 MB and printing a warning in every engine's log). Whatever fails, Dawn is released again before
 * returning, so a rung passed over holds nothing.
 */
export async function startWebGpuBackend({ forced }: { forced: boolean }): Promise<WebGpuStart> {
  if (!forced && realSystem.platform === 'linux' && !findVulkanLoader(realSystem)) {
    return { ok: false, reason: `not tried: ${explainMissingAdapter(realSystem)}`, adapter: null }
  }
  // Started already (the ladder runs once per engine; tests switch backends): the same adapter and device.
  // findBackend's type says it always finds one; it returns null when the backend is not registered.
  if (running && (tf.findBackend('webgpu') as tf.KernelBackend | null) !== null && (await tf.setBackend('webgpu'))) return running
  const gpu = installDawn()
  if (typeof gpu === 'string') return { ok: false, reason: gpu, adapter: null }
  const fail = (reason: string, adapter: WebGpuAdapter | null): WebGpuStart => {
    releaseWebGpu()
    return { ok: false, reason, adapter }
  }
  let found: Awaited<ReturnType<typeof gpu.requestAdapter>>
  try {
    found = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  } catch (err) {
    return fail(`Dawn could not list the GPUs: ${err instanceof Error ? err.message : String(err)}`, null)
  }
  if (!found) return fail(`Dawn offered no GPU adapter: ${explainMissingAdapter()}`, null)
  const adapter = describeAdapter(found)
  const name = adapterName(adapter)
  if (adapter.software && !forced) {
    return fail(
      `${name} is a software adapter: ${adapter.software}, slower than wasm, so the ladder passes it over ` + '(--backend webgpu uses it anyway)',
      adapter
    )
  }
  const problem = loadTfjsWebGpu()
  if (problem) return fail(problem, adapter)
  registerWebGpuKernels()
  if (!(await tf.setBackend('webgpu'))) {
    return fail(`tfjs-backend-webgpu could not create a device on ${name} (the engine's log says why)`, adapter)
  }
  // The studio's kernels replace some of tfjs's for correctness (kernels/index.ts), so a backend they cannot run
  // on is refused here rather than trained on with tfjs's wrong sums.
  const missing = missingInternals(tf.backend())
  if (missing.length > 0) {
    return fail(
      `the installed @tensorflow/tfjs-backend-webgpu lacks what the studio's GPU kernels use (${missing.join(', ')}); they are written ` +
        `for its version ${INTERNALS_VERSION}: run npm install in the studio's folder, whose package-lock pins that version`,
      adapter
    )
  }
  const device = (tf.backend() as unknown as { device: WebGpuDevice }).device
  const described = describeAdapter(found, device.limits)
  const software = described.software ? `, a software adapter used because the backend was forced: ${described.software}` : ''
  running = { ok: true, reason: `loaded on ${name}${software}`, adapter: described }
  return running
}

/**
 * Disposes the webgpu backend (its buffers and device) and takes Dawn out of `navigator.gpu`, so the engine
 * process can exit. Safe to call when webgpu never started.
 */
export function releaseWebGpu(): void {
  running = null
  const backend = tf.findBackend('webgpu') as unknown as { device?: WebGpuDevice } | null
  if (backend) {
    const device = backend.device
    tf.removeBackend('webgpu')
    device?.destroy()
  }
  uninstallDawn()
}

/** Loads tfjs-backend-webgpu once `navigator.gpu` is there (it registers its backend only then); null when it loaded. */
function loadTfjsWebGpu(): string | null {
  // As findBackend: the factory is null until tfjs-backend-webgpu has registered it.
  const factoryOf = (): (() => tf.KernelBackend | Promise<tf.KernelBackend>) | null => tf.findBackendFactory('webgpu')
  if (!factoryOf()) {
    try {
      // Optional like `webgpu`, loaded only on this rung, and external to the bundle (it must share
      // node_modules' @tensorflow/tfjs-core with the engine).
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional package, loaded by name on this rung only
      require('@tensorflow/tfjs-backend-webgpu')
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err)
      return (err as { code?: string }).code === 'MODULE_NOT_FOUND'
        ? '@tensorflow/tfjs-backend-webgpu is not installed (an optional dependency; reinstall without --omit=optional to get it)'
        : `@tensorflow/tfjs-backend-webgpu failed to load: ${message}`
    }
    const registered = factoryOf()
    if (registered) webgpuFactory = registered
    else if (webgpuFactory) tf.registerBackend('webgpu', webgpuFactory, 3)
    else return '@tensorflow/tfjs-backend-webgpu loaded but registered no backend (navigator.gpu was not set before it loaded)'
  }
  return null
}
