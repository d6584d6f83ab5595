import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'

// Starts tfjs's wasm backend with XNNPACK's thread pool on every core, in Node. tfjs-backend-wasm
// 4.22 ships a threaded build but never uses it in Node (tensorflow/tfjs#3830), for three reasons,
// each worked around here for the duration of the start only:
//
// 1. Its flag WASM_HAS_MULTITHREAD_SUPPORT answers false whenever it runs in Node. We set it.
// 2. It hands Emscripten's pthread worker script to `new Worker()` as a blob: URL, which Node's
//    worker_threads refuse, and the worker then loads the wasm module's JavaScript from a Blob,
//    which its Node shim cannot read. We write the worker script to a file in a folder of this
//    process's own (removed when it exits) with one change: it loads the module's JavaScript from
//    the file tfjs-backend-wasm ships it in
//    (@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js) — what an
//    unmerged upstream fix (tensorflow/tfjs#8059) does too.
// 3. Its C++ caps the pool at half of os.cpus().length, assuming two hyperthreads per core, so on
//    a 2-vCPU machine it would still run one thread. We let it see twice the cores while it starts.
//
// Emscripten keeps eight pool workers, which would keep Node from exiting: we unref them. Anything
// unexpected (a tfjs version whose worker script differs, a failed start) falls back to the
// single-threaded build, with the reason. DCGAN_STUDIO_WASM_THREADS=1 turns threads off.
//
// Measured on the 2-vCPU dev VM: a 4.3 GFLOP convolution took 126 ms on one thread and 66–69 ms on
// two (docs/performance.md).

export interface WasmStart {
  /** Threads XNNPACK runs on. */
  threads: number
  /** Why that many, for logs and `doctor`. */
  reason: string
}

// tfjs declares findBackend as always returning a backend; it returns null for one that is not running.
const findBackend: (name: string) => tf.KernelBackend | null = tf.findBackend

// The one statement of the worker script that loads the module's JavaScript.
const WORKER_LOAD = 'if(typeof e.data.urlOrBlob=="string")'

/**
 * Initialises and selects the wasm backend, with `threads` threads (default: every core, or
 * DCGAN_STUDIO_WASM_THREADS) where Node allows it. Call before anything else starts the wasm backend;
 * once it is running its thread count is fixed, and this only selects it.
 */
export async function startWasmBackend(threads?: number): Promise<WasmStart> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm')
  if (findBackend('wasm') != null) {
    await tf.setBackend('wasm')
    return { threads: wasm.getThreadsCount(), reason: 'the wasm backend was already running' }
  }
  const wanted = threads ?? threadsFromEnvironment() ?? os.availableParallelism()
  if (wanted <= 1) return startSingleThreaded(wasm, `${wanted} thread requested`)
  let worker: string
  try {
    worker = writeWorkerScript()
  } catch (error) {
    return startSingleThreaded(wasm, `threads unavailable: ${message(error)}`)
  }
  const nodeOs = nodeRequire('os') as typeof os
  const cpus = nodeOs.cpus
  const createObjectURL = URL.createObjectURL.bind(URL)
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true)
  wasm.setThreadsCount(wanted)
  nodeOs.cpus = () => {
    const real = cpus()
    return Array.from({ length: 2 * wanted }, (_, i) => real[i % real.length] as os.CpuInfo)
  }
  URL.createObjectURL = (object: Blob) => (object.type === 'application/javascript' ? worker : createObjectURL(object))
  // The fallback starts only after the patches above are undone.
  let failure: string | null = null
  let started = false
  try {
    started = await tf.setBackend('wasm')
  } catch (error) {
    failure = `the threaded build failed to start: ${message(error)}`
  } finally {
    nodeOs.cpus = cpus
    URL.createObjectURL = createObjectURL
  }
  if (failure !== null) return startSingleThreaded(wasm, failure)
  if (!started) return startSingleThreaded(wasm, 'the threaded build failed to start (see the warning above)')
  unrefWorkers()
  return { threads: wasm.getThreadsCount(), reason: `an XNNPACK thread pool of ${wanted}` }
}

async function startSingleThreaded(wasm: typeof import('@tensorflow/tfjs-backend-wasm'), reason: string): Promise<WasmStart> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
  wasm.setThreadsCount(1)
  if (!(await tf.setBackend('wasm'))) throw new Error('The wasm backend failed to start (single-threaded build).')
  return { threads: wasm.getThreadsCount(), reason }
}

function threadsFromEnvironment(): number | undefined {
  const value = process.env['DCGAN_STUDIO_WASM_THREADS']
  if (value == null || value === '') return undefined
  const threads = Number(value)
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`DCGAN_STUDIO_WASM_THREADS must be a whole number of threads, 1 or more; it is '${value}'.`)
  }
  return threads
}

// The worker script tfjs would pass as a blob: URL, as a file that loads the module from disk.
function writeWorkerScript(): string {
  const { wasmWorkerContents } = nodeRequire('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string
  }
  const modulePath = nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js')
  if (!wasmWorkerContents.includes(WORKER_LOAD)) {
    throw new Error(`this tfjs-backend-wasm's pthread worker script is not the one wasm-kernels/threads.ts was written for`)
  }
  // tfjs escapes newlines the same way before making its blob: they sit inside string literals.
  const script = wasmWorkerContents.replace(WORKER_LOAD, `if(true){importScripts(${JSON.stringify(modulePath)})}else ${WORKER_LOAD}`).replace(/\n/g, '\\n')
  // A folder of our own (mkdtemp makes it 0700): a shared, predictable name in the temp folder could be
  // planted by another user of the machine, and this file is executed.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-studio-wasm-'))
  const file = path.join(dir, 'pthread-worker.js')
  fs.writeFileSync(file, script, { mode: 0o600 })
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  return file
}

interface PThreads {
  PThread?: { unusedWorkers: Array<{ unref(): void }>; runningWorkers: Array<{ unref(): void }> }
}

function unrefWorkers(): void {
  const module = (tf.backend() as unknown as { wasm: PThreads }).wasm
  for (const worker of [...(module.PThread?.unusedWorkers ?? []), ...(module.PThread?.runningWorkers ?? [])]) worker.unref()
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

const nodeRequire = createRequire(typeof __filename === 'string' ? __filename : import.meta.url)
