import { spawn } from 'node:child_process'
import type { CudaProbeResult } from '../../shared/api/cuda-doctor'
import { PROBE_ENV, PROBE_INPUTS, readProbeRun } from '../../node/cuda-doctor'
import { CUDA_PACKAGE } from './cuda-rung'

/**
 * The one-op probe. It runs in a child process because libtensorflow writes its log to the process's own
 * stderr (fd 2), which this process cannot read back, and because its logging is configured from the
 * environment before libtensorflow loads. The child loads tfjs-node-gpu, multiplies two matrices, prints the
 * result; readProbeRun (src/node/cuda-doctor/probe-log.ts) decides from the placement log where it ran.
 */
const CHILD = `
const out = (v) => process.stdout.write(JSON.stringify(v) + '\\n')
try {
  const tf = require(process.env.DCGAN_STUDIO_PROBE_PACKAGE)
  const { a, b } = JSON.parse(process.env.DCGAN_STUDIO_PROBE_INPUTS)
  const c = tf.matMul(tf.tensor2d(a), tf.tensor2d(b))
  out({ values: Array.from(c.dataSync()), gpuDevice: tf.backend().isUsingGpuDevice === true, backend: tf.getBackend() })
} catch (err) {
  out({ error: String((err && err.message) || err).split('\\n')[0] })
  process.exitCode = 1
}
`

export async function runCudaProbe({ timeoutMs }: { timeoutMs: number }): Promise<CudaProbeResult> {
  let entry: string
  try {
    entry = require.resolve(CUDA_PACKAGE)
  } catch {
    return { outcome: 'not-run', message: `${CUDA_PACKAGE} is not installed, so there is nothing to probe`, device: null, evidence: [], seconds: 0 }
  }
  return probeWith(entry, timeoutMs)
}

/** Runs the probe child on a tfjs package (its main file); tfjs-node-gpu's in the doctor. */
export function probeWith(entry: string, timeoutMs: number): Promise<CudaProbeResult> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', CHILD], {
      env: {
        ...process.env,
        ...PROBE_ENV,
        // Electron's utilityProcess runs the engine inside the Electron binary; as a plain Node it takes -e.
        ELECTRON_RUN_AS_NODE: '1',
        DCGAN_STUDIO_PROBE_PACKAGE: entry,
        DCGAN_STUDIO_PROBE_INPUTS: JSON.stringify(PROBE_INPUTS)
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      // Keep the log bounded: a verbose libtensorflow start is a few hundred lines.
      if (stderr.length < 1_000_000) stderr += chunk.toString()
    })
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    const finish = (exitCode: number | null): void => {
      clearTimeout(timer)
      resolve(readProbeRun({ stdout, stderr, exitCode, timedOut, timeoutMs, seconds: (Date.now() - started) / 1000 }))
    }
    child.on('error', (err) => {
      stderr += `\n${err.message}`
      finish(null)
    })
    child.on('close', (code) => finish(code))
  })
}
