import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineStatus } from '../../src/shared/api/engine'
import { StudioError } from '../../src/shared/api/errors'
import { EngineHost, explorerThreads } from '../../src/main/services/engine-host'
import { launchNodeEngine } from '../../src/main/services/engine-process'
import { ModelConfig } from '../../src/shared/formats/model'
import { ensureBuilt } from '../support/build'

const untrained = { kind: 'untrained', model: ModelConfig.parse({}), weightSeed: 1 } as const

// The real engine process from the build (ensureBuilt, tests/support/build.ts, builds it), spoken to over the real
// versioned protocol.

beforeAll(() => ensureBuilt(), 300_000)

describe('engine process', () => {
  let host: EngineHost
  const statuses: EngineStatus[] = []

  beforeAll(async () => {
    host = new EngineHost({ launcher: launchNodeEngine })
    host.on('status', (s) => statuses.push(s))
    await host.start()
  })

  afterAll(async () => {
    await host.stop()
  })

  it('completes the ready handshake and explains its backend choice', async () => {
    const status = host.status()
    expect(status.state).toBe('ready')
    expect(status.pid).toBeGreaterThan(0)
    // No libtensorflow can be downloaded here, so the ladder must end on wasm and say why the rungs above failed.
    expect(status.backend).toBe('wasm')
    expect(status.attempts.map((a) => a.backend)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm'])
    expect(status.attempts[0]?.reason).toMatch(/tfjs-node-gpu/)
    // wasm says how many threads XNNPACK got (all cores unless DCGAN_STUDIO_WASM_THREADS says otherwise).
    expect(status.attempts[2]?.reason).toMatch(/^loaded, \d+ threads? \(/)
    expect(status.gpu.available).toBe(false)
    expect(status.gpu.reason).toMatch(/tfjs-node-gpu/)
    const info = await host.request('info', {})
    expect(info.pid).toBe(status.pid)
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
      await expect(forced.start()).rejects.toThrow(/tfjs-node-gpu is not installed/)
      expect(forced.status().state).toBe('crashed')
      expect(forced.status().lastError).toMatch(/could not start/)
    } finally {
      await forced.stop()
    }
  })
})
