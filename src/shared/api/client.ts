import {
  type EventPayload,
  type MethodParams,
  type MethodResult,
  type StudioBridge,
  type StudioEvent,
  type StudioMethod,
  CallOutcome,
  studioEvents,
  studioMethods
} from './contract'
import { StudioError, describeZodError } from './errors'

/**
 * The typed Studio API client used by the renderer (and by tests). It validates what comes back across the
 * boundary: a response or event that does not match the contract is an error, not undefined behaviour.
 */
export interface StudioClient {
  call<M extends StudioMethod>(method: M, params?: MethodParams<M>): Promise<MethodResult<M>>
  on<E extends StudioEvent>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

export function createStudioClient(bridge: StudioBridge): StudioClient {
  return {
    async call(method, params) {
      const raw = await bridge.invoke(method, params ?? {})
      const outcome = CallOutcome.safeParse(raw)
      if (!outcome.success) {
        throw new StudioError('bad_response', describeZodError(outcome.error, `response to ${method}`))
      }
      if (!outcome.data.ok) throw StudioError.fromData(outcome.data.error)
      const parsed = studioMethods[method].result.safeParse(outcome.data.result)
      if (!parsed.success) {
        throw new StudioError('bad_response', describeZodError(parsed.error, `response to ${method}`))
      }
      return parsed.data as MethodResult<typeof method>
    },
    on(event, listener) {
      return bridge.on(event, (payload) => {
        const parsed = studioEvents[event].safeParse(payload)
        // An event that breaks the contract is dropped (and reported) rather than handed to UI code.
        if (!parsed.success) {
          console.error(describeZodError(parsed.error, `event ${event}`))
          return
        }
        listener(parsed.data as EventPayload<typeof event>)
      })
    }
  }
}
