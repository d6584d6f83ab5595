import { z } from 'zod'

/**
 * What the CUDA doctor found out about the tensorflow-gpu rung: the NVIDIA driver, the GPUs, each CUDA 11 /
 * cuDNN 8 library libtensorflow 2.9 loads by its exact file name, and one finding per thing that matters, each
 * with what to do. Computed on the Node side (src/node/cuda-doctor), shown by `doctor`, engine.status and the
 * Engine card.
 */
export const CudaFinding = z.object({
  /** Stable name of the check (tests and the UI key on it). */
  id: z.string(),
  level: z.enum(['ok', 'info', 'warning', 'problem']),
  message: z.string(),
  /** What to do about it; null when nothing needs doing. */
  action: z.string().nullable()
})
export type CudaFinding = z.infer<typeof CudaFinding>

/** One library libtensorflow loads, by the exact file name it asks the loader for. */
export const CudaLibrary = z.object({
  group: z.enum(['driver', 'cuda', 'cudnn']),
  file: z.string(),
  /** Where the system loader finds it; null when it does not. */
  path: z.string().nullable(),
  /** Copies in folders the loader does not search (so loading it fails although it is installed). */
  elsewhere: z.array(z.string())
})
export type CudaLibrary = z.infer<typeof CudaLibrary>

export const CudaGpu = z.object({
  index: z.number().int().min(0),
  name: z.string().nullable(),
  /** "9.0" style; null when nothing reported it and the model name is not one we know. */
  computeCapability: z.string().nullable(),
  capabilitySource: z.enum(['nvidia-smi', 'model name']).nullable()
})
export type CudaGpu = z.infer<typeof CudaGpu>

export const CudaReport = z.object({
  platform: z.enum(['linux', 'wsl', 'win32', 'darwin', 'other']),
  driver: z.object({
    version: z.string().nullable(),
    /** Where the driver was seen: /proc/driver/nvidia/version, nvidia-smi, the driver library. */
    source: z.string().nullable()
  }),
  gpus: z.array(CudaGpu),
  libraries: z.array(CudaLibrary),
  /** Libraries of other CUDA / cuDNN versions that were found instead (full paths). */
  otherVersions: z.array(z.string()),
  findings: z.array(CudaFinding),
  /** There is (or may be) an NVIDIA GPU for the rung; false on a Mac or a machine with no NVIDIA device. */
  hasNvidia: z.boolean(),
  /** Nothing stands in the way of the tensorflow-gpu rung (warnings may remain). */
  ready: z.boolean(),
  /** One line for the ladder's attempt reason: the problems, or what was found. */
  summary: z.string()
})
export type CudaReport = z.infer<typeof CudaReport>

/**
 * The one-op probe: a MatMul run by tfjs-node-gpu in a child process with libtensorflow's placement log on.
 * `gpu` only when the log says the op executed on GPU:0 and the result is right.
 */
export const CudaProbeResult = z.object({
  outcome: z.enum(['gpu', 'cpu', 'unproven', 'failed', 'not-run']),
  message: z.string(),
  /** The device the op ran on, as libtensorflow names it (/job:localhost/replica:0/task:0/device:GPU:0). */
  device: z.string().nullable(),
  /** The log lines the verdict rests on (device creation, placement, libraries that failed to load). */
  evidence: z.array(z.string()),
  seconds: z.number().min(0)
})
export type CudaProbeResult = z.infer<typeof CudaProbeResult>
