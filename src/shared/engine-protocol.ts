import { z } from 'zod'
import { BackendAttempt, BackendName } from './api/engine'
import { CallOutcome } from './api/contract'
import { StudioErrorData } from './api/errors'
import { GenerateParams, GenerateResult } from './api/explore'

/**
 * Messages between the Node side (the engine host) and an engine process. Versioned: a host refuses an engine
 * that speaks another version (a stale build), instead of misreading it.
 */
export const ENGINE_PROTOCOL_VERSION = 1

/** What an engine reports about itself in its ready handshake. */
export const EngineInfo = z.object({
  pid: z.number().int(),
  backend: BackendName,
  backendReason: z.string(),
  attempts: z.array(BackendAttempt),
  gpu: z.object({ available: z.boolean(), reason: z.string() }),
  versions: z.object({ node: z.string(), tfjs: z.string(), electron: z.string().nullable() })
})
export type EngineInfo = z.infer<typeof EngineInfo>

/** Engine methods: what the engine itself can do. Studio API methods are built on these by the services. */
export const engineMethods = {
  info: { params: z.object({}).strict().default({}), result: EngineInfo },
  generate: { params: GenerateParams, result: GenerateResult },
  /** Live tensor count; tests use it to prove tensor discipline across processes. */
  memory: { params: z.object({}).strict().default({}), result: z.object({ numTensors: z.number(), numBytes: z.number() }) }
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>
export type EngineMethod = keyof typeof engineMethods
export type EngineParams<M extends EngineMethod> = z.input<(typeof engineMethods)[M]['params']>
export type EngineParamsParsed<M extends EngineMethod> = z.output<(typeof engineMethods)[M]['params']>
export type EngineResult<M extends EngineMethod> = z.output<(typeof engineMethods)[M]['result']>

const v = z.literal(ENGINE_PROTOCOL_VERSION)
const requestId = z.number().int().nonnegative()

export const HostToEngine = z.discriminatedUnion('type', [
  z.object({ v, type: z.literal('request'), id: requestId, method: z.string(), params: z.unknown() }),
  z.object({ v, type: z.literal('cancel'), id: requestId }),
  z.object({ v, type: z.literal('shutdown') })
])
export type HostToEngine = z.infer<typeof HostToEngine>

export const EngineToHost = z.discriminatedUnion('type', [
  z.object({ v, type: z.literal('ready'), info: EngineInfo }),
  z.object({ v, type: z.literal('response'), id: requestId, outcome: CallOutcome }),
  z.object({
    v,
    type: z.literal('progress'),
    id: requestId,
    progress: z.number().min(0).max(1),
    message: z.string()
  }),
  /** The engine could not start (e.g. no backend loaded); it exits after sending this. */
  z.object({ v, type: z.literal('fatal'), error: StudioErrorData })
])
export type EngineToHost = z.infer<typeof EngineToHost>
