import { fork } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../src/main/services/engine-host'
import { builtPaths } from '../../src/main/services/app-paths'
import { type EngineLauncher, launchNodeEngine } from '../../src/main/services/engine-process'
import { ENGINE_PROTOCOL_VERSION, EngineToHost } from '../../src/shared/engine-protocol'
import { ModelConfig } from '../../src/shared/formats/model'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { requireSwiftShader } from '../support/swiftshader'

// The built engine process on webgpu (SwiftShader): it reports its adapter over the protocol and in doctor, and
// it exits by itself — Dawn would otherwise keep Node alive while navigator.gpu holds it.

const small = { kind: 'untrained', model: ModelConfig.parse({ imageSize: 32, genWidth: 8, discWidth: 8 }), weightSeed: 1 } as const

beforeAll(() => {
  requireSwiftShader()
  ensureBuilt()
}, 300_000)

/** launchNodeEngine, remembering how each engine process ended. */
function recordingLauncher(exits: Array<{ code: number | null; signal: string | null }>): EngineLauncher {
  return (options) => {
    const engine = launchNodeEngine(options)
    engine.onExit((exit) => exits.push(exit))
    return engine
  }
}

describe('the engine on webgpu', () => {
  it('reports the adapter in its status, generates, and exits by itself when told to shut down', async () => {
    const exits: Array<{ code: number | null; signal: string | null }> = []
    const host = new EngineHost({ launcher: recordingLauncher(exits), backend: 'webgpu' })
    await host.start()
    const status = host.status()
    expect(status.backend).toBe('webgpu')
    expect(status.webgpuAdapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', fallback: true })
    expect(status.webgpuAdapter?.limits.maxStorageBufferBindingSize).toBeGreaterThan(0)
    const generated = await host.request('generate', { generator: small, seed: 4, count: 2 })
    expect(generated.backend).toBe('webgpu')
    expect(generated.samples).toHaveLength(2)
    // stop() kills an engine that has not exited 3 s after 'shutdown' (the signal would show here).
    const started = Date.now()
    await host.stop()
    expect(exits).toEqual([{ code: 0, signal: null }])
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('exits by itself when its host goes away', async () => {
    const child = fork(builtPaths.engine(), [], {
      env: { ...process.env, DCGAN_STUDIO_BACKEND: 'webgpu' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced'
    })
    const ready = await new Promise<EngineToHost>((resolve) => child.once('message', (message) => resolve(EngineToHost.parse(message))))
    expect(ready).toMatchObject({ v: ENGINE_PROTOCOL_VERSION, type: 'ready', info: { backend: 'webgpu' } })
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
    child.disconnect()
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    expect(await exited).toEqual({ code: 0, signal: null })
    clearTimeout(timer)
  })
})

describe('dcgan-studio doctor and WebGPU', () => {
  it('describes the adapter, its limits and that it is software, when webgpu is forced', async () => {
    const result = await runCli(['doctor', '--backend', 'webgpu'])
    expect(result.code).toBe(0)
    const report = result.lines.at(-1) as {
      engine: { backend: string; webgpuAdapter: { description: string; software: string | null; limits: Record<string, number> } }
      tfjs: Record<string, string | null>
    }
    expect(report.engine.backend).toBe('webgpu')
    expect(report.engine.webgpuAdapter.description).toMatch(/SwiftShader/)
    expect(report.engine.webgpuAdapter.software).toMatch(/CPU/)
    expect(report.engine.webgpuAdapter.limits['maxBufferSize']).toBeGreaterThan(0)
    expect(report.tfjs).toMatchObject({ webgpu: '4.22.0', dawn: expect.stringMatching(/^0\.6\./) })
  })

  it('explains on the ladder why the software adapter is passed over', async () => {
    const forced = process.env.DCGAN_STUDIO_BACKEND
    delete process.env.DCGAN_STUDIO_BACKEND
    try {
      const result = await runCli(['doctor'])
      expect(result.code).toBe(0)
      const report = result.lines.at(-1) as {
        engine: { backend: string; attempts: Array<{ backend: string; ok: boolean; reason: string }>; webgpuAdapter: { software: string | null } | null }
      }
      expect(report.engine.backend).not.toBe('webgpu')
      expect(report.engine.attempts.find((a) => a.backend === 'webgpu')).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/software adapter.*slower than wasm/)
      })
      expect(report.engine.webgpuAdapter?.software).toMatch(/SwiftShader/)
    } finally {
      process.env.DCGAN_STUDIO_BACKEND = forced
    }
  })
})
