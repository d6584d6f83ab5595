import { z } from 'zod'
import { CudaReport } from './cuda-doctor'

/** The rungs of the backend ladder, best first. */
export const BACKEND_LADDER = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const
export const BackendName = z.enum(BACKEND_LADDER)
export type BackendName = z.infer<typeof BackendName>

/** What each backend means to a user, for status screens and `doctor`. */
export const BACKEND_LABELS: Record<BackendName, string> = {
  'tensorflow-gpu': 'TensorFlow native, CUDA GPU (@tensorflow/tfjs-node-gpu)',
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
