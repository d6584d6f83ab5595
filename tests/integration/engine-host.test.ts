import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BACKEND_LADDER, type EngineStatus } from '../../src/shared/api/engine'
import { StudioError } from '../../src/shared/api/errors'
import { EngineHost, explorerThreads } from '../../src/main/services/engine-host'
import { launchNodeEngine } from '../../src/main/services/engine-process'
import { ModelConfig } from '../../src/shared/formats/model'
import { ensureBuilt } from '../support/build'

const untrained = { kind: 'untrained', model: ModelConfig.parse({}), weightSeed: 1 } as const

/** Whether an optional native package is installed here (an online machine installs tfjs-node(-gpu)). */
function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name)
    return true
  } catch {
    return false
  }
}
const NATIVE = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' } as const

// The real engine process from the build (ensureBuilt in tests/support/build.ts builds it), spoken to over the real
// versioned protocol.

beforeAll(() => ensureBuilt(), 300_000)

describe('engine process', () => {
  let host: EngineHost
  const statuses: EngineStatus[] = []

  beforeAll(async () => {
    // The engine the rest of this file talks to runs on the backend these tests are about, whatever optional
    // packages this machine has.
    host = new EngineHost({ launcher: launchNodeEngine, backend: 'wasm' })
    host.on('status', (s) => statuses.push(s))
    await host.start()
  })

  afterAll(async () => {
    await host.stop()
  })

  it('completes the ready handshake and explains its backend choice along the ladder', async () => {
    // The suite forces wasm for every engine (vitest.config.ts); this test is about the ladder itself.
    const forced = process.env.DCGAN_STUDIO_BACKEND
    delete process.env.DCGAN_STUDIO_BACKEND
    const ladder = new EngineHost({ launcher: launchNodeEngine })
    try {
      await ladder.start()
      const status = ladder.status()
      expect(status.state).toBe('ready')
      expect(status.pid).toBeGreaterThan(0)
      // Rungs are tried in the ladder's order until one loads; every rung above it says why it did not.
      const tried = status.attempts.map((a) => a.backend)
      expect(BACKEND_LADDER.slice(0, tried.length)).toEqual(tried)
      expect(status.attempts.at(-1)).toMatchObject({ backend: status.backend, ok: true })
      for (const attempt of status.attempts.slice(0, -1)) {
        expect(attempt.ok).toBe(false)
        if (attempt.backend in NATIVE && !installed(NATIVE[attempt.backend as keyof typeof NATIVE])) {
          expect(attempt.reason).toMatch(/is not installed/)
        }
      }
      if (!installed(NATIVE['tensorflow-gpu']) && !installed(NATIVE.tensorflow)) {
        // Without libtensorflow (it cannot be downloaded offline) the ladder ends on wasm and says why the GPU is unused.
        expect(status.backend).toBe('wasm')
        expect(tried).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm'])
        expect(status.gpu.available).toBe(false)
        expect(status.gpu.reason).toMatch(/tfjs-node-gpu is not installed/)
      }
      if (status.backend === 'wasm') {
        // wasm says how many threads XNNPACK got (all cores unless DCGAN_STUDIO_WASM_THREADS says otherwise).
        expect(status.attempts.at(-1)?.reason).toMatch(/^loaded, \d+ threads? \(/)
      }
      const info = await ladder.request('info', {})
      expect(info.pid).toBe(status.pid)
    } finally {
      if (forced !== undefined) process.env.DCGAN_STUDIO_BACKEND = forced
      await ladder.stop()
    }
  })

  it('generates samples from the paper generator as RGBA pixels, reproducibly per seed', async () => {
    const a = await host.request('generate', { generator: untrained, count: 4, seed: 11 })
    expect(a.samples).toHaveLength(4)
    for (const sample of a.samples) {
      expect(sample.image.width).toBe(64)
      expect(sample.image.height).toBe(64)
      expect(sample.image.data.length).toBe(64 * 64 * 4)
      expect(sample.z.length).toBe(100)
      for (const v of sample.z) expect(Math.abs(v)).toBeLessThanOrEqual(1)
    }
    const again = await host.request('generate', { generator: untrained, count: 4, seed: 11 })
    expect(again.samples[2]?.image.data).toEqual(a.samples[2]?.image.data)
    const other = await host.request('generate', { generator: untrained, count: 4, seed: 12 })
    expect(other.samples[0]?.image.data).not.toEqual(a.samples[0]?.image.data)
    // An untrained generator still makes varied images, not a flat colour.
    const data = a.samples[0]?.image.data ?? new Uint8Array()
    const values = new Set(Array.from(data.filter((_, i) => i % 4 === 0)))
    expect(values.size).toBeGreaterThan(10)
  })

  it('keeps the tensor count flat across generation calls', async () => {
    await host.request('generate', { generator: untrained, count: 2, seed: 1 })
    const before = await host.request('memory', {})
    for (let i = 0; i < 3; i++) await host.request('generate', { generator: untrained, count: 2, seed: i })
    const after = await host.request('memory', {})
    expect(after.numTensors).toBe(before.numTensors)
  })

  it('answers bad parameters with an error naming the field', async () => {
    const error = await host.request('generate', { generator: untrained, count: 0 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StudioError)
    expect((error as StudioError).code).toBe('bad_request')
    expect((error as StudioError).message).toMatch(/count/)
  })

  it('detects a crash, fails the request in flight clearly, restarts, and serves again', async () => {
    const oldPid = host.status().pid as number
    statuses.length = 0
    const inFlight = host.request('generate', { generator: untrained, count: 64, seed: 3 })
    process.kill(oldPid, 'SIGKILL')
    const error = await inFlight.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StudioError)
    expect((error as StudioError).code).toBe('engine_crashed')
    expect((error as StudioError).message).toMatch(/SIGKILL/)
    await host.start()
    const status = host.status()
    expect(status.state).toBe('ready')
    expect(status.pid).not.toBe(oldPid)
    expect(status.restarts).toBe(1)
    expect(statuses.map((s) => s.state)).toEqual(expect.arrayContaining(['crashed', 'starting', 'ready']))
    const after = await host.request('generate', { generator: untrained, count: 1, seed: 3 })
    expect(after.samples).toHaveLength(1)
  })

  it('cancels a request on abort without waiting for the engine', async () => {
    const controller = new AbortController()
    const pending = host.request('generate', { generator: untrained, count: 64, seed: 5 }, { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' })
    // The engine is still fine afterwards.
    expect((await host.request('generate', { generator: untrained, count: 1 })).samples).toHaveLength(1)
  })

  it('honours a forced backend', async () => {
    const forced = new EngineHost({ launcher: launchNodeEngine, backend: 'cpu' })
    try {
      const info = await forced.start()
      expect(info.backend).toBe('cpu')
      expect(info.backendReason).toMatch(/chosen by the user/)
      expect(info.attempts).toEqual([{ backend: 'cpu', ok: true, reason: 'loaded' }])
    } finally {
      await forced.stop()
    }
  })

  it("sizes the wasm thread pool as asked (the explorer's share of the cores), unless the user set it", async () => {
    expect([1, 2, 3, 4, 8, 16].map((cores) => explorerThreads(cores))).toEqual([1, 1, 1, 2, 4, 8])
    const share = new EngineHost({ launcher: launchNodeEngine, backend: 'wasm', threads: 1 })
    try {
      const info = await share.start()
      const expected = process.env.DCGAN_STUDIO_WASM_THREADS ?? '1'
      expect(info.attempts[0]?.reason).toMatch(new RegExp(`^loaded, ${expected} threads? \\(`))
    } finally {
      await share.stop()
    }
  })

  it('reports a backend that cannot load as a failed start with the reason, not a hang', async () => {
    const forced = new EngineHost({ launcher: launchNodeEngine, backend: 'tensorflow-gpu' })
    try {
      const started = await forced.start().then(
        (info) => ({ ok: true as const, info }),
        (error: unknown) => ({ ok: false as const, error })
      )
      if (!installed(NATIVE['tensorflow-gpu'])) {
        expect(started.ok).toBe(false)
      }
      if (started.ok) {
        // An online machine with CUDA 11.2 and cuDNN 8.1: the rung loads; nothing to report.
        expect(started.info.backend).toBe('tensorflow-gpu')
      } else {
        expect(String(started.error)).toMatch(/tfjs-node-gpu (is not installed|is installed but|failed to load|was built for)/)
        expect(forced.status().state).toBe('crashed')
        expect(forced.status().lastError).toMatch(/could not start/)
      }
    } finally {
      await forced.stop()
    }
  })
})
