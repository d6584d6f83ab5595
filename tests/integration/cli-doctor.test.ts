import * as fs from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { CudaProbeResult, CudaReport } from '../../src/shared/api/cuda-doctor'
import { EngineStatus } from '../../src/shared/api/engine'
import { ensureBuilt } from '../support/build'
import { installed } from '../support/optional-packages'
import { runCli } from '../support/cli'

// The real CLI and engine on this machine: the CUDA doctor's part of `dcgan-studio doctor --json`. What it
// finds depends on the machine; the fixture machines are in src/node/cuda-doctor/diagnose.test.ts.

beforeAll(() => ensureBuilt(), 300_000)

const hasNvidia = fs.existsSync('/proc/driver/nvidia') || fs.existsSync('/usr/lib/wsl/lib/libcuda.so.1')

async function doctorReport(env: NodeJS.ProcessEnv): Promise<{ engine: EngineStatus; cuda: CudaReport; cudaProbe: CudaProbeResult }> {
  const result = await runCli(['doctor'], { env })
  expect(result.code).toBe(0)
  const line = result.lines[0] as Record<string, unknown>
  return { engine: EngineStatus.parse(line.engine), cuda: CudaReport.parse(line.cuda), cudaProbe: CudaProbeResult.parse(line.cudaProbe) }
}

describe('dcgan-studio doctor: the tensorflow-gpu rung', () => {
  it('explains the GPU rung with findings that each say what to do, and probes only where tfjs-node-gpu is installed', async () => {
    // The suite forces wasm (vitest.config.ts): the engine skips the GPU rung, the doctor asks on its own.
    const report = await doctorReport(process.env)
    expect(report.engine.cuda).toBeUndefined()
    expect(report.cuda.findings.length).toBeGreaterThan(0)
    for (const f of report.cuda.findings.filter((f) => f.level === 'problem' || f.level === 'warning')) expect(f.action).toMatch(/\w/)
    if (!installed('@tensorflow/tfjs-node-gpu')) {
      expect(report.cuda.findings[0]?.id).toBe('package')
      expect(report.cudaProbe).toMatchObject({ outcome: 'not-run', message: expect.stringMatching(/tfjs-node-gpu is not installed/) })
    } else {
      expect(['gpu', 'cpu', 'unproven', 'failed']).toContain(report.cudaProbe.outcome)
    }
    if (!hasNvidia && process.platform === 'linux') {
      expect(report.cuda).toMatchObject({ hasNvidia: false, ready: false })
      expect(report.cuda.findings.map((f) => f.id)).toContain('gpu')
      expect(report.cuda.findings.filter((f) => f.level === 'problem')).toEqual([])
    }
  })

  it("walking the ladder, the engine's tensorflow-gpu attempt gives the doctor's summary as its reason", async () => {
    const { DCGAN_STUDIO_BACKEND: _forced, ...env } = process.env
    const report = await doctorReport(env)
    const gpuAttempt = report.engine.attempts[0]
    expect(gpuAttempt?.backend).toBe('tensorflow-gpu')
    expect(report.engine.cuda).toBeDefined()
    if (gpuAttempt?.ok === false) {
      expect(gpuAttempt.reason).toBe(report.engine.cuda?.summary)
      // The GPU line says why each GPU rung was passed over, CUDA's in the doctor's words.
      expect(report.engine.gpu.available).toBe(false)
      expect(report.engine.gpu.reason).toContain(`tensorflow-gpu: ${report.engine.cuda?.summary ?? ''}`)
    }
    // The doctor shows the engine's report: it knows how loading tfjs-node-gpu went.
    expect(report.cuda).toEqual(report.engine.cuda)
  })
})
