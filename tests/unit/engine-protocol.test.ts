import { describe, expect, it } from 'vitest'
import { ModelConfig } from '../../src/shared/formats/model'
import { ENGINE_PROTOCOL_VERSION, EngineToHost, HostToEngine, engineMethods } from '../../src/shared/engine-protocol'

describe('engine protocol', () => {
  it('accepts well-formed messages of the current version', () => {
    expect(HostToEngine.safeParse({ v: ENGINE_PROTOCOL_VERSION, type: 'request', id: 1, method: 'generate', params: {} }).success).toBe(true)
    expect(
      EngineToHost.safeParse({ v: ENGINE_PROTOCOL_VERSION, type: 'response', id: 1, outcome: { ok: false, error: { code: 'internal', message: 'x' } } }).success
    ).toBe(true)
    expect(EngineToHost.safeParse({ v: ENGINE_PROTOCOL_VERSION, type: 'progress', id: 1, progress: 0.5, message: 'half' }).success).toBe(true)
  })

  it('refuses another protocol version and malformed messages', () => {
    expect(HostToEngine.safeParse({ v: ENGINE_PROTOCOL_VERSION + 1, type: 'shutdown' }).success).toBe(false)
    expect(HostToEngine.safeParse({ v: ENGINE_PROTOCOL_VERSION, type: 'request', id: -1, method: 'x', params: {} }).success).toBe(false)
    expect(EngineToHost.safeParse({ v: ENGINE_PROTOCOL_VERSION, type: 'progress', id: 1, progress: 2, message: '' }).success).toBe(false)
    expect(EngineToHost.safeParse({ v: ENGINE_PROTOCOL_VERSION, type: 'launch-missiles' }).success).toBe(false)
  })

  it('validates generate parameters inside the engine too', () => {
    const generator = { kind: 'untrained', model: ModelConfig.parse({}), weightSeed: 1 }
    expect(engineMethods.generate.params.safeParse({ generator, count: 3 }).success).toBe(true)
    expect(engineMethods.generate.params.safeParse({ generator, count: 'many' }).success).toBe(false)
    expect(engineMethods.generate.params.safeParse({ count: 3 }).success).toBe(false)
    expect(engineMethods.generate.params.safeParse({ generator: { kind: 'checkpoint', model: ModelConfig.parse({}), dir: '' }, count: 3 }).success).toBe(false)
  })
})
