import { z } from 'zod'
import { CudaReport } from './cuda-doctor'

/** The rungs of the backend ladder, best first. */
export const BACKEND_LADDER = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const
export const BackendName = z.enum(BACKEND_LADDER)
export type BackendName = z.infer<typeof BackendName>

/** What each backend means to a user, for status screens and `doctor`. */
export const BACKEND_LABELS: Record<BackendName, string> = {
  'tensorflow-gpu': 'TensorFlow native, CUDA GPU (@tensorflow/tfjs-node-gpu)',
  webgpu: 'WebGPU, any GPU through Metal, D3D12 or Vulkan (@tensorflow/tfjs-backend-webgpu on Dawn)',
  tensorflow: 'TensorFlow native, CPU (@tensorflow/tfjs-node)',
  wasm: 'WebAssembly, CPU (@tensorflow/tfjs-backend-wasm)',
  cpu: 'Plain JavaScript, CPU (slow)'
}

/** One rung the engine tried while choosing its backend, and why it was or was not taken. */
export const BackendAttempt = z.object({
  backend: BackendName,
  ok: z.boolean(),
  reason: z.string()
})
export type BackendAttempt = z.infer<typeof BackendAttempt>

/** The limits of the WebGPU device that tfjs-backend-webgpu sizes its buffers and workgroups by. */
export const WEBGPU_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension'
] as const

/**
 * The GPU adapter Dawn (the `webgpu` package) offered the engine, whether or not the engine runs on it: a
 * software adapter is reported too, so a user can see why the ladder passed it over.
 */
export const WebGpuAdapter = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  /** The driver's own description, e.g. "NVIDIA: 550.54.14" or "SwiftShader driver 5.0.0". */
  description: z.string(),
  /** The adapter says it is a fallback adapter (WebGPU's isFallbackAdapter). */
  fallback: z.boolean(),
  /** Why this is a software adapter that runs on the CPU (SwiftShader, llvmpipe/lavapipe, WARP, a fallback); null for a GPU. */
  software: z.string().nullable(),
  /** The device's limits that the backend uses (the adapter's maxima, which the backend requests). */
  limits: z.record(z.enum(WEBGPU_LIMITS), z.number())
})
export type WebGpuAdapter = z.infer<typeof WebGpuAdapter>

/** "SwiftShader driver 5.0.0 (google swiftshader)": the driver's words first, then who makes it. */
export function adapterName(adapter: Pick<WebGpuAdapter, 'vendor' | 'architecture' | 'device' | 'description'>): string {
  const maker = [adapter.vendor, adapter.architecture].filter((part) => part !== '').join(' ')
  const main = adapter.description || adapter.device || 'an unnamed adapter'
  return maker ? `${main} (${maker})` : main
}

/** The limits in words: "storage binding 1 GiB, buffer 1 GiB, workgroup memory 32 KiB, 256 invocations, …". */
export function webGpuLimitsText(limits: WebGpuAdapter['limits']): string {
  return [
    `storage binding ${bytes(limits.maxStorageBufferBindingSize)}`,
    `buffer ${bytes(limits.maxBufferSize)}`,
    `workgroup memory ${bytes(limits.maxComputeWorkgroupStorageSize)}`,
    `${limits.maxComputeInvocationsPerWorkgroup} invocations per workgroup (x ≤ ${limits.maxComputeWorkgroupSizeX})`,
    `${limits.maxComputeWorkgroupsPerDimension} workgroups per dimension`
  ].join(', ')
}

function bytes(count: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10]
  ] as const) {
    if (count >= size) return `${Number((count / size).toFixed(1))} ${unit}`
  }
  return `${count} B`
}

export const EngineStatus = z.object({
  state: z.enum(['starting', 'ready', 'crashed', 'stopped']),
  pid: z.number().int().nullable(),
  backend: BackendName.nullable(),
  /** Why this backend: the user's override, or the first rung of the ladder that worked. */
  backendReason: z.string(),
  attempts: z.array(BackendAttempt),
  gpu: z.object({ available: z.boolean(), reason: z.string() }),
  /** The CUDA doctor's report, when the engine tried the tensorflow-gpu rung. */
  cuda: CudaReport.optional(),
  /** The WebGPU adapter found while walking the ladder (or forced); null when Dawn offered none or was not tried. */
  webgpuAdapter: WebGpuAdapter.nullable(),
  versions: z.object({
    node: z.string(),
    tfjs: z.string(),
    electron: z.string().nullable()
  }),
  /** How many times the engine was restarted after a crash in this session. */
  restarts: z.number().int().min(0),
  lastError: z.string().nullable()
})
export type EngineStatus = z.infer<typeof EngineStatus>
