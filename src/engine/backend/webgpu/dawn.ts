/**
 * Dawn, Chromium's WebGPU implementation, as the `webgpu` npm package ships it: a Node-API addon (`dawn.node`,
 * prebuilt for Linux x64/arm64, macOS and Windows x64/arm64 inside the package). tfjs-backend-webgpu looks for
 * `navigator.gpu`, so Dawn's GPU object is put there, together with the WebGPU constants (GPUBufferUsage, …)
 * the backend reads as globals; `uninstallDawn` takes all of it away again. While `navigator.gpu` holds Dawn,
 * Dawn may keep Node's event loop alive (https://issues.chromium.org/issues/387965810), so the engine
 * uninstalls it on shutdown and whenever the webgpu rung is passed over.
 *
 * The GPU object itself is created once per process and kept: creating a second one after the first was
 * dropped crashed the process now and then (dawn.node 0.6.2 on SwiftShader; seemingly when the first was
 * collected while the second ran).
 */

/** The parts of WebGPU's GPUAdapterInfo the studio reports. */
export interface DawnAdapterInfo {
  readonly vendor: string
  readonly architecture: string
  readonly device: string
  readonly description: string
  readonly isFallbackAdapter?: boolean
}

/** The parts of a GPUAdapter the studio reads (it never creates devices itself: the tfjs backend does). */
export interface DawnAdapter {
  readonly info: DawnAdapterInfo
  readonly limits: Readonly<Record<string, number>>
  /** Older Dawn builds put the flag on the adapter instead of its info. */
  readonly isFallbackAdapter?: boolean
}

export interface DawnGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<DawnAdapter | null>
}

interface DawnPackage {
  create(options: string[]): DawnGpu
  globals: Record<string, unknown>
}

/** Dawn's GPU object, once created, and what undoes its installation while it is installed. */
let dawn: { gpu: DawnGpu; globals: Record<string, unknown> } | null = null
let uninstall: (() => void) | null = null

/**
 * Loads Dawn (once) and installs it as `navigator.gpu` (a no-op while installed). Returns the GPU object, or
 * why Dawn could not be loaded, in words a user can act on.
 */
export function installDawn(): DawnGpu | string {
  if (!dawn) {
    let loaded: DawnPackage
    try {
      // Loaded on this rung only (a 21 MB addon), from node_modules: the build keeps optional dependencies out
      // of the bundle, and dawn.node must stay a file on disk (outside any asar archive) to be loaded.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional native addon, loaded by name on this rung only
      loaded = require('webgpu') as DawnPackage
    } catch (err) {
      return explainLoadFailure(err)
    }
    try {
      dawn = { gpu: loaded.create([]), globals: loaded.globals }
    } catch (err) {
      return `Dawn (the webgpu package) loaded but could not start: ${firstLine(err)}`
    }
  }
  uninstall ??= installGlobals(dawn.gpu, dawn.globals)
  return dawn.gpu
}

/** Takes Dawn out of `navigator.gpu` and the WebGPU globals, so nothing outside this module refers to it. */
export function uninstallDawn(): void {
  uninstall?.()
  uninstall = null
}

export function isDawnInstalled(): boolean {
  return uninstall !== null
}

/** Puts `gpu` at navigator.gpu and Dawn's globals on globalThis; returns what undoes exactly that. */
function installGlobals(gpu: DawnGpu, globals: Record<string, unknown>): () => void {
  const scope = globalThis as Record<string, unknown>
  const added = Object.keys(globals).filter((key) => !(key in scope))
  for (const key of added) scope[key] = globals[key]
  const navigator = scope['navigator']
  // Node 21+ has a navigator of its own (and Electron's utility process Node's): add gpu to it rather than
  // replacing it. Node 20 has none.
  if (navigator !== null && typeof navigator === 'object') {
    Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true, writable: true })
    return () => {
      delete (navigator as { gpu?: unknown }).gpu
      for (const key of added) Reflect.deleteProperty(scope, key)
    }
  }
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true })
  return () => {
    delete scope['navigator']
    for (const key of added) Reflect.deleteProperty(scope, key)
  }
}

function explainLoadFailure(err: unknown): string {
  const message = firstLine(err)
  const code = (err as { code?: string }).code
  if (code === 'MODULE_NOT_FOUND' && /dawn\.node/.test(message)) {
    return `the webgpu package has no Dawn binary for ${process.platform}-${process.arch} (it ships linux x64/arm64, macOS and Windows x64/arm64)`
  }
  if (code === 'MODULE_NOT_FOUND' && message.includes("'webgpu'")) {
    return 'the webgpu package is not installed (an optional dependency; reinstall without --omit=optional to get it)'
  }
  return `Dawn (the webgpu package) failed to load: ${message}`
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n')[0] ?? text
}
