import { describe, expect, it } from 'vitest'
import { createStudioClient } from '../../src/shared/api/client'
import { type CallOutcome, type StudioBridge, studioMethods } from '../../src/shared/api/contract'
import { EngineStatus } from '../../src/shared/api/engine'
import { StudioError, fieldIssuesIn } from '../../src/shared/api/errors'
import { GenerateParams } from '../../src/shared/api/explore'
import { ModelConfig, paperModelConfig } from '../../src/shared/formats/model'
import { type StudioHandlers, dispatch } from '../../src/main/services/dispatch'
import { StudioEvents } from '../../src/main/services/events'

const readyStatus: EngineStatus = {
  state: 'ready',
  pid: 42,
  backend: 'wasm',
  backendReason: 'the first rung of the ladder that loaded',
  attempts: [{ backend: 'wasm', ok: true, reason: 'loaded' }],
  gpu: { available: false, reason: 'not installed' },
  webgpuAdapter: null,
  versions: { node: '20', tfjs: '4.22.0', electron: null },
  restarts: 0,
  lastError: null
}

describe('model config', () => {
  it('defaults to the paper: 64×64 RGB, z of 100 uniform in [-1, 1], width 64, N(0, 0.02), LeakyReLU 0.2', () => {
    const config = paperModelConfig()
    expect(config).toEqual({
      imageSize: 64,
      channels: 3,
      zDim: 100,
      genWidth: 64,
      discWidth: 64,
      kernelSize: 4,
      leakySlope: 0.2,
      initStd: 0.02,
      noise: { kind: 'uniform', low: -1, high: 1 },
      // How the layers compute, as PyTorch's DCGAN and the studio always have (the authors' Theano models differ).
      padding: 'same',
      projectionNorm: 'channel',
      batchNormEpsilon: 1e-5
    })
  })

  it('refuses sizes and kernels the architecture does not support, naming the field', () => {
    const bad = ModelConfig.safeParse({ imageSize: 48, kernelSize: 3 })
    expect(bad.success).toBe(false)
    const paths = bad.error?.issues.map((i) => i.path.join('.'))
    expect(paths).toContain('imageSize')
    expect(paths).toContain('kernelSize')
  })
})

describe('generate parameters', () => {
  it('fills defaults and keeps the model noise distribution', () => {
    const params = GenerateParams.parse({ count: 4 })
    expect(params.count).toBe(4)
    expect(params.seed).toBe(0)
    expect(params.model.noise).toEqual({ kind: 'uniform', low: -1, high: 1 })
  })

  it('rejects counts out of range and non-integer seeds', () => {
    expect(GenerateParams.safeParse({ count: 0 }).success).toBe(false)
    expect(GenerateParams.safeParse({ count: 1000 }).success).toBe(false)
    expect(GenerateParams.safeParse({ seed: 1.5 }).success).toBe(false)
  })
})

/** An in-memory bridge joining the real client to the real dispatcher, as IPC and WebSocket do. */
function inMemoryBridge(handlers: StudioHandlers, events: StudioEvents): StudioBridge {
  return {
    invoke: (method, params) => dispatch(handlers, method, structuredClone(params)).then((o) => structuredClone(o)),
    on: (event, listener) =>
      events.subscribe((name, payload) => {
        if (name === event) listener(structuredClone(payload))
      })
  }
}

/** The handlers these transport tests call; the real services are tested against the real engine elsewhere. */
function handlers(overrides: Partial<StudioHandlers> = {}): StudioHandlers {
  const used: Partial<StudioHandlers> = {
    'engine.status': async () => readyStatus,
    'engine.restart': async () => readyStatus,
    'library.info': async () => ({ root: '/tmp/library', demoRunId: null }),
    'explore.generate': async (params) => ({
      samples: Array.from({ length: params.count }, () => ({
        z: new Float32Array(params.model.zDim),
        image: { width: 2, height: 1, data: new Uint8Array(8) }
      })),
      backend: 'test',
      millis: 1,
      step: null
    })
  }
  return { ...used, ...overrides } as StudioHandlers
}

describe('Studio API over an in-memory channel', () => {
  it('round-trips a call with typed arrays intact', async () => {
    const client = createStudioClient(inMemoryBridge(handlers(), new StudioEvents()))
    const result = await client.call('explore.generate', { count: 3 })
    expect(result.samples).toHaveLength(3)
    expect(result.samples[0]?.z).toBeInstanceOf(Float32Array)
    expect(result.samples[0]?.image.data).toBeInstanceOf(Uint8Array)
  })

  it('validates parameters before any handler runs and says which field is wrong', async () => {
    let ran = false
    const client = createStudioClient(
      inMemoryBridge(
        handlers({
          'explore.generate': async () => {
            ran = true
            throw new Error('unreachable')
          }
        }),
        new StudioEvents()
      )
    )
    const error = await client.call('explore.generate', { count: -1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StudioError)
    expect((error as StudioError).code).toBe('bad_request')
    expect((error as StudioError).message).toMatch(/count/)
    expect(ran).toBe(false)
  })

  it('names each refused field and its rule in the error details, so a form can mark the field', async () => {
    const client = createStudioClient(inMemoryBridge(handlers(), new StudioEvents()))
    const error = (await client
      .call('runs.create', { datasetId: 'd', model: { genWidth: 3 }, train: { learningRate: 5, batchSize: 2.5 } })
      .catch((e: unknown) => e)) as StudioError
    expect(error.code).toBe('bad_request')
    expect(fieldIssuesIn(error.details)).toEqual([
      { path: ['model', 'genWidth'], message: 'must be at least 8' },
      { path: ['train', 'batchSize'], message: 'must be a whole number' },
      { path: ['train', 'learningRate'], message: 'must be at most 1' }
    ])
    expect(error.message).toBe(
      'Invalid parameters of runs.create — model.genWidth: must be at least 8; train.batchSize: must be a whole number; train.learningRate: must be at most 1'
    )
  })

  it('refuses unknown methods', async () => {
    const outcome: CallOutcome = await dispatch(handlers(), 'engine.format-disk', {})
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(outcome.error.code).toBe('unknown_method')
  })

  it('treats a response that breaks the contract as an error, not data', async () => {
    const broken = handlers({ 'library.info': async () => ({ root: 42 }) as unknown as { root: string; demoRunId: null } })
    const client = createStudioClient(inMemoryBridge(broken, new StudioEvents()))
    await expect(client.call('library.info')).rejects.toMatchObject({ code: 'bad_response' })
  })

  it('carries handler errors as data with a message for people', async () => {
    const failing = handlers({
      'engine.restart': async () => {
        throw new StudioError('engine_unavailable', 'The engine could not start: no backend.')
      }
    })
    const client = createStudioClient(inMemoryBridge(failing, new StudioEvents()))
    await expect(client.call('engine.restart')).rejects.toMatchObject({
      code: 'engine_unavailable',
      message: 'The engine could not start: no backend.'
    })
  })

  it('delivers events to subscribers until they unsubscribe, dropping payloads that break the contract', async () => {
    const events = new StudioEvents()
    const client = createStudioClient(inMemoryBridge(handlers(), events))
    const seen: EngineStatus[] = []
    const off = client.on('engine.status', (s) => seen.push(s))
    events.emit('engine.status', readyStatus)
    events.emit('engine.status', { ...readyStatus, state: 'nonsense' } as unknown as EngineStatus)
    off()
    events.emit('engine.status', readyStatus)
    expect(seen).toHaveLength(1)
    expect(seen[0]?.state).toBe('ready')
  })

  it('lists every method with a params and result schema', () => {
    for (const [name, spec] of Object.entries(studioMethods)) {
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/)
      expect(spec.params).toBeDefined()
      expect(spec.result).toBeDefined()
    }
  })
})
