import { type CallOutcome, type MethodParamsParsed, type MethodResult, type StudioMethod, isStudioMethod, studioMethods } from '../../shared/api/contract'
import { StudioError, describeZodError, fieldIssuesOf, toErrorData } from '../../shared/api/errors'

export type StudioHandlers = {
  [M in StudioMethod]: (params: MethodParamsParsed<M>) => Promise<MethodResult<M>>
}

/**
 * Validates and runs one Studio API call. Every transport (IPC, WebSocket, in-memory) goes through here, so
 * no handler can see an unvalidated payload, and every failure comes back as error data, never a throw.
 */
export async function dispatch(handlers: StudioHandlers, method: string, params: unknown): Promise<CallOutcome> {
  try {
    if (!isStudioMethod(method)) throw new StudioError('unknown_method', `The studio has no method "${method}".`)
    const parsed = studioMethods[method].params.safeParse(params)
    if (!parsed.success) {
      throw new StudioError('bad_request', describeZodError(parsed.error, `parameters of ${method}`), { issues: fieldIssuesOf(parsed.error) })
    }
    const handler = handlers[method] as (p: unknown) => Promise<unknown>
    const result = await handler(parsed.data)
    return { ok: true, result }
  } catch (err) {
    return { ok: false, error: toErrorData(err) }
  }
}
