import { z } from 'zod'
import { EngineStatus } from './engine'
import { GenerateParams, GenerateResult } from './explore'
import { StudioErrorData } from './errors'

/**
 * The Studio API: every method (request → response) and event the UI can use, in one place. Electron IPC,
 * the web mode WebSocket and in-memory test channels all carry exactly this contract; nothing else names
 * methods or events. Add a method here, then its handler in src/main/services/studio.ts — the compiler
 * points at everything else that must follow.
 */
export const LibraryInfo = z.object({ root: z.string() })
export type LibraryInfo = z.infer<typeof LibraryInfo>

const empty = z.object({}).strict().default({})

export const studioMethods = {
  'engine.status': { params: empty, result: EngineStatus },
  'engine.restart': { params: empty, result: EngineStatus },
  'library.info': { params: empty, result: LibraryInfo },
  'explore.generate': { params: GenerateParams, result: GenerateResult }
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>

export const studioEvents = {
  /** The engine started, crashed, restarted or stopped. */
  'engine.status': EngineStatus
} as const satisfies Record<string, z.ZodType>

export type StudioMethod = keyof typeof studioMethods
export type StudioEvent = keyof typeof studioEvents
export type MethodParams<M extends StudioMethod> = z.input<(typeof studioMethods)[M]['params']>
export type MethodParamsParsed<M extends StudioMethod> = z.output<(typeof studioMethods)[M]['params']>
export type MethodResult<M extends StudioMethod> = z.output<(typeof studioMethods)[M]['result']>
export type EventPayload<E extends StudioEvent> = z.output<(typeof studioEvents)[E]>

export function isStudioMethod(name: string): name is StudioMethod {
  return Object.hasOwn(studioMethods, name)
}
export function isStudioEvent(name: string): name is StudioEvent {
  return Object.hasOwn(studioEvents, name)
}

/** What a call returns across any transport: a result, or an error written for the user. */
export const CallOutcome = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: StudioErrorData })
])
export type CallOutcome = z.infer<typeof CallOutcome>

/**
 * The narrow bridge a transport provides: Electron's preload exposes exactly this as `window.studio`; the web
 * client implements it over a WebSocket; tests implement it in memory. Typing and validation live above it,
 * in the client (src/shared/api/client.ts).
 */
export interface StudioBridge {
  invoke(method: string, params: unknown): Promise<CallOutcome>
  on(event: string, listener: (payload: unknown) => void): () => void
}
