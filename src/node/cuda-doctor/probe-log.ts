import { z } from 'zod'
import type { CudaProbeResult } from '../../shared/api/cuda-doctor'

/**
 * Reading the one-op probe. The probe is a child process that loads tfjs-node-gpu with libtensorflow's
 * logging on (TF_CPP_MIN_LOG_LEVEL=0, and TF_CPP_VMODULE=execute=1, under which eager's execute.cc logs
 * "Executing op MatMul in device /job:localhost/replica:0/task:0/device:GPU:0" for each new kernel), multiplies
 * two 2×2 matrices and prints one JSON line. The verdict rests on that placement line and the result, never on
 * the package having loaded: tfjs-node-gpu loads fine without CUDA and quietly runs on the CPU.
 */
export const PROBE_ENV = { TF_CPP_MIN_LOG_LEVEL: '0', TF_CPP_VMODULE: 'execute=1', TF_FORCE_GPU_ALLOW_GROWTH: 'true' } as const

/** [[1,2],[3,4]] × [[5,6],[7,8]] */
export const PROBE_INPUTS = {
  a: [
    [1, 2],
    [3, 4]
  ],
  b: [
    [5, 6],
    [7, 8]
  ]
} as const
export const PROBE_EXPECTED = [19, 22, 43, 50]

/** What the probe child prints on stdout. */
export const ProbeReply = z.union([z.object({ values: z.array(z.number()), gpuDevice: z.boolean(), backend: z.string() }), z.object({ error: z.string() })])
export type ProbeReply = z.infer<typeof ProbeReply>

export interface ProbeRun {
  stdout: string
  stderr: string
  exitCode: number | null
  timedOut: boolean
  timeoutMs: number
  seconds: number
}

/** libtensorflow's log line without its timestamp and source prefix ("2024-… I tensorflow/…/x.cc:12] "). */
function message(line: string): string {
  const end = line.indexOf('] ')
  return end >= 0 && /^\d{4}-\d\d-\d\d /.test(line) ? line.slice(end + 2).trim() : line.trim()
}

export function readProbeRun(run: ProbeRun): CudaProbeResult {
  const lines = run.stderr.split('\n').map(message).filter(Boolean)
  const placements = lines.flatMap((l) => {
    const m = /^Executing op (\w+) in device (\S+)/.exec(l)
    return m ? [{ op: m[1] as string, device: m[2] as string, line: l }] : []
  })
  const matmul = placements.find((p) => /MatMul/.test(p.op))
  const created = lines.filter((l) => /^Created device \S+GPU:\d+/.test(l))
  const failedLibraries = lines.filter((l) => /^Could not load dynamic library/.test(l))
  const gpuTrouble = lines.filter((l) => /Cannot dlopen some GPU libraries|failed call to cuInit|CUDA_ERROR_|Skipping registering GPU devices/.test(l))
  const evidence = [...created, ...(matmul ? [matmul.line] : []), ...failedLibraries, ...gpuTrouble]
  const seconds = run.seconds
  const base = { evidence, seconds }

  if (run.timedOut) {
    return {
      ...base,
      outcome: 'failed',
      device: null,
      message: `the probe did not finish within ${+(run.timeoutMs / 1000).toFixed(3)} s; on a GPU from sm_80 on, libtensorflow 2.9's first run compiles its kernels for minutes: let it finish (\`dcgan-studio doctor\` again) and set CUDA_CACHE_MAXSIZE=4294967296 so they are kept`
    }
  }
  const reply = parseReply(run.stdout)
  if (!reply || 'error' in reply) {
    const why = reply && 'error' in reply ? reply.error : (lines.at(-1) ?? `exit code ${run.exitCode}`)
    return { ...base, outcome: 'failed', device: null, message: `tfjs-node-gpu did not run the op: ${why}` }
  }
  const right = reply.values.length === PROBE_EXPECTED.length && reply.values.every((v, i) => v === PROBE_EXPECTED[i])
  if (!right) {
    return {
      ...base,
      outcome: 'failed',
      device: matmul?.device ?? null,
      message: `the op ran but gave ${JSON.stringify(reply.values)} instead of ${JSON.stringify(PROBE_EXPECTED)}`
    }
  }
  const why = failedLibraries.length > 0 ? `: ${failedLibraries.map((l) => /'([^']+)'/.exec(l)?.[1] ?? l).join(', ')} did not load` : ''
  if (matmul && /device:GPU:0$/.test(matmul.device)) {
    const description = created[0] ? ` (${created[0].replace(/^.*->\s*/, '')})` : ''
    return {
      ...base,
      outcome: 'gpu',
      device: matmul.device,
      message: `${matmul.op} ran on GPU:0${description} and gave the right result in ${seconds.toFixed(1)} s`
    }
  }
  if (matmul) {
    return { ...base, outcome: 'cpu', device: matmul.device, message: `${matmul.op} ran on ${matmul.device.replace(/^.*device:/, '')}, not GPU:0${why}` }
  }
  if (!reply.gpuDevice) {
    return { ...base, outcome: 'cpu', device: null, message: `libtensorflow registered no GPU, so the op ran on the CPU${why}` }
  }
  return {
    ...base,
    outcome: 'unproven',
    device: null,
    message: 'the op gave the right result and libtensorflow listed GPU:0, but its log did not say where the op ran, so running on the GPU is not proven'
  }
}

function parseReply(stdout: string): ProbeReply | null {
  for (const line of stdout.split('\n').reverse()) {
    if (!line.trim().startsWith('{')) continue
    try {
      const parsed = ProbeReply.safeParse(JSON.parse(line))
      if (parsed.success) return parsed.data
    } catch {
      // not the reply line
    }
  }
  return null
}
