import * as tf from '@tensorflow/tfjs'
import { StudioError, describeZodError, toErrorData } from '../shared/api/errors'
import {
  ENGINE_PROTOCOL_VERSION,
  type EngineInfo,
  type EngineMethod,
  type EngineParamsParsed,
  type EngineResult,
  HostToEngine,
  engineMethods
} from '../shared/engine-protocol'
import { releaseBackend } from './backend/select'
import type { HostPort } from './host-port'
import { canvas, embed, features, filters, findDirections, generate, guided, ModelCache, render } from './explore'
import { FaceAttributes } from './face-attributes'
import { TrainingSessions } from './training-session'
import { probe, probeProtocol } from './probe'
import { project } from './project'
import { fitErasure } from './forget'
import { runCudaProbe } from './backend/cuda-probe'
import { importModel } from './import-model'

/** Context a handler gets: its cancellation signal and a way to report progress. */
export interface RequestContext {
  signal: AbortSignal
  progress(fraction: number, message: string): void
  /** Streams a structured event of a long-running request (e.g. a TrainEvent) to the host. */
  emit(event: unknown): void
}

type EngineHandlers = {
  [M in EngineMethod]: (params: EngineParamsParsed<M>, ctx: RequestContext) => Promise<EngineResult<M>>
}

/** The engine's message loop: validates each request, runs its handler, answers with a result or an error. */
export function serveEngine(port: HostPort, info: EngineInfo): void {
  // One cache of G and D per model source, shared by every explorer method.
  const models = new ModelCache()
  const training = new TrainingSessions()
  const faces = new FaceAttributes(models)
  const handlers: EngineHandlers = {
    info: async () => info,
    generate: (params) => generate(models, params),
    render: (params, ctx) => render(models, params, ctx.signal),
    canvas: (params, ctx) => canvas(models, params, ctx),
    features: (params) => features(models, params),
    filters: (params) => filters(models, params),
    guided: (params) => guided(models, params),
    embed: (params, ctx) => embed(models, params, ctx),
    directions: (params, ctx) => findDirections(models, params, ctx),
    classifySamples: (params, ctx) => faces.classifySamples(params, ctx),
    trainClassifier: (params, ctx) => faces.trainClassifier(params, ctx),
    probe: (params, ctx) => probe(models, params, ctx),
    probeProtocol: (params, ctx) => probeProtocol(models, params, ctx),
    project: (params, ctx) => project(models, params, ctx),
    forgetFit: (params, ctx) => fitErasure(models, params, ctx),
    cudaProbe: (params) => runCudaProbe(params),
    importModel: (params) => importModel(params),
    memory: async () => {
      const memory = tf.memory()
      return { numTensors: memory.numTensors, numBytes: memory.numBytes }
    },
    train: (params, ctx) => training.train(params, ctx),
    trainControl: async ({ action }) => training.controlSession(action)
  }
  const running = new Map<number, AbortController>()

  port.onMessage((raw) => {
    const parsed = HostToEngine.safeParse(raw)
    if (!parsed.success) {
      // Nothing to answer to without a valid id; say it loudly on stderr, which the host logs.
      console.error(`engine: ignored a malformed message — ${describeZodError(parsed.error, 'message')}`)
      return
    }
    const message = parsed.data
    switch (message.type) {
      case 'request':
        void handle(message.id, message.method, message.params)
        return
      case 'cancel':
        running.get(message.id)?.abort()
        return
      case 'shutdown':
        models.dispose()
        releaseBackend()
        process.exit(0)
    }
  })

  async function handle(id: number, method: string, rawParams: unknown): Promise<void> {
    const controller = new AbortController()
    running.set(id, controller)
    try {
      if (!Object.hasOwn(engineMethods, method)) {
        throw new StudioError('unknown_method', `The engine has no method "${method}".`)
      }
      const name = method as EngineMethod
      const params = engineMethods[name].params.safeParse(rawParams)
      if (!params.success) {
        throw new StudioError('bad_request', describeZodError(params.error, `parameters of ${name}`))
      }
      const ctx: RequestContext = {
        signal: controller.signal,
        progress: (fraction, text) => port.send({ v: ENGINE_PROTOCOL_VERSION, type: 'progress', id, progress: clamp01(fraction), message: text }),
        emit: (event) => port.send({ v: ENGINE_PROTOCOL_VERSION, type: 'event', id, event })
      }
      const handler = handlers[name] as (p: unknown, c: RequestContext) => Promise<unknown>
      const result = await handler(params.data, ctx)
      port.send({ v: ENGINE_PROTOCOL_VERSION, type: 'response', id, outcome: { ok: true, result } })
    } catch (err) {
      port.send({ v: ENGINE_PROTOCOL_VERSION, type: 'response', id, outcome: { ok: false, error: toErrorData(err) } })
    } finally {
      running.delete(id)
    }
  }
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0
}
