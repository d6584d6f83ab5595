import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { ENGINE_PROTOCOL_VERSION, type EngineInfo, type EngineMethod, type EngineToHost, engineMethods } from '../../shared/engine-protocol'
import { selectBackend } from '../backend/select'
import type { HostPort } from '../host-port'
import { serveEngine } from '../server'
import { RGB, untrained, zBatch } from './test-support'

/**
 * The explorer's methods as the host sees them: requests in the protocol's input form, answered through the
 * engine's message loop, with every message structured-cloned as the real IPC channel does, and each
 * result checked against its schema in the contract.
 */

let request: (method: EngineMethod, params: unknown) => Promise<unknown>

beforeAll(async () => {
  await selectBackend('wasm')
  let toEngine: (message: unknown) => void = () => undefined
  const waiting = new Map<number, (message: EngineToHost) => void>()
  const port: HostPort = {
    send: (message) => {
      if (message.type === 'response') waiting.get(message.id)?.(structuredClone(message))
    },
    onMessage: (listener) => (toEngine = listener),
    onDisconnect: () => undefined
  }
  const info: EngineInfo = {
    pid: process.pid,
    backend: 'wasm',
    backendReason: 'test',
    attempts: [],
    gpu: { available: false, reason: 'test' },
    webgpuAdapter: null,
    versions: { node: process.versions.node, tfjs: tf.version.tfjs, electron: null }
  }
  serveEngine(port, info)
  let nextId = 1
  request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++
      waiting.set(id, (message) => {
        waiting.delete(id)
        if (message.type !== 'response') return
        if (message.outcome.ok) resolve(engineMethods[method].result.parse(message.outcome.result))
        else reject(new Error(`${message.outcome.error.code}: ${message.outcome.error.message}`))
      })
      toEngine(structuredClone({ v: ENGINE_PROTOCOL_VERSION, type: 'request', id, method, params }))
    })
})

describe('the engine serves the explorer methods', () => {
  const models = untrained(RGB)
  const z = zBatch(RGB, 51, 1)

  it('answers render, features, filters, guided and embed with results that match the contract', async () => {
    await request('render', { generator: models, z: zBatch(RGB, 51, 3), count: 3 })
    await request('features', { models, net: 'D', input: { kind: 'z', z } })
    await request('filters', { models })
    await request('guided', { models, input: { kind: 'z', z }, layer: 'd_conv2' })
    await request('embed', { models, z: zBatch(RGB, 52, 10), count: 10, projection: 'd-features' })
  })

  it('reports a bad request as one, naming what to fix', async () => {
    await expect(request('guided', { models, input: { kind: 'z', z }, layer: 'd_flatten' })).rejects.toThrow(/^bad_request: .*d_conv0/)
    await expect(request('render', { generator: models, z: new Float32Array(5), count: 1 })).rejects.toThrow(/^bad_request: /)
  })

  it('holds no more tensors after a round of every method than after the first', async () => {
    const round = async (): Promise<void> => {
      await request('render', { generator: models, z, count: 1 })
      await request('features', { models, net: 'G', input: { kind: 'z', z } })
      await request('filters', { models })
      await request('guided', { models, input: { kind: 'z', z }, layer: 'd_lrelu1' })
      await request('embed', { models, z: zBatch(RGB, 53, 5), count: 5, projection: 'z' })
    }
    await round()
    const before = (await request('memory', {})) as { numTensors: number }
    await round()
    await round()
    expect(((await request('memory', {})) as { numTensors: number }).numTensors).toBe(before.numTensors)
  })
})
