import { z } from 'zod'

/**
 * Errors cross every boundary as plain data. `message` is written for the user: what failed, which file or
 * value, and what to do about it. `code` is for programs; `details` carries anything structured.
 */
export const ErrorCode = z.enum([
  'bad_request', // a request failed validation
  'bad_response', // a response failed validation (a bug on the other side)
  'not_found',
  'unknown_method',
  'engine_crashed',
  'engine_unavailable',
  'engine_timeout',
  'cancelled',
  'superseded', // a newer request on the same channel (e.g. a dragged slider) replaced this one
  'io_error',
  'internal'
])
export type ErrorCode = z.infer<typeof ErrorCode>

export const StudioErrorData = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.unknown().optional()
})
export type StudioErrorData = z.infer<typeof StudioErrorData>

export class StudioError extends Error {
  readonly code: ErrorCode
  readonly details: unknown

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message)
    this.name = 'StudioError'
    this.code = code
    this.details = details
  }

  toData(): StudioErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }

  static fromData(data: StudioErrorData): StudioError {
    return new StudioError(data.code, data.message, data.details)
  }
}

/** Turns anything thrown into error data that is safe to send across a boundary. */
export function toErrorData(err: unknown): StudioErrorData {
  if (err instanceof StudioError) return err.toData()
  if (err instanceof z.ZodError) {
    return { code: 'bad_request', message: describeZodError(err) }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'internal', message }
}

/** A one-line, human description of what failed validation, naming the offending fields. */
export function describeZodError(err: z.ZodError, what = 'input'): string {
  const parts = err.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : what
    return `${where}: ${issue.message}`
  })
  const more = err.issues.length > 5 ? ` (and ${err.issues.length - 5} more)` : ''
  return `Invalid ${what} — ${parts.join('; ')}${more}`
}
