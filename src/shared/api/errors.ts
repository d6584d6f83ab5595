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
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details }
  }

  static fromData(data: StudioErrorData): StudioError {
    return new StudioError(data.code, data.message, data.details)
  }
}

/** Turns anything thrown into error data that is safe to send across a boundary. */
export function toErrorData(err: unknown): StudioErrorData {
  if (err instanceof StudioError) return err.toData()
  if (err instanceof z.ZodError) {
    return { code: 'bad_request', message: describeZodError(err), details: { issues: fieldIssuesOf(err) } }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'internal', message }
}

/** A one-line, human description of what failed validation, naming the offending fields. */
export function describeZodError(err: z.ZodError, what = 'input'): string {
  const parts = err.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : what
    return `${where}: ${issueText(issue)}`
  })
  const more = err.issues.length > 5 ? ` (and ${err.issues.length - 5} more)` : ''
  return `Invalid ${what} — ${parts.join('; ')}${more}`
}

/**
 * Which value of a request was wrong and what is allowed instead. A `bad_request` error carries these as
 * `details.issues`, so a form can mark the very field (and say the rule) instead of showing one long line.
 */
export const FieldIssue = z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })
export type FieldIssue = z.infer<typeof FieldIssue>

export function fieldIssuesOf(err: z.ZodError): FieldIssue[] {
  return err.issues.map((issue) => ({ path: issue.path.filter((p) => typeof p !== 'symbol'), message: issueText(issue) }))
}

/** The field issues an error's details carry (none when it has none). */
export function fieldIssuesIn(details: unknown): FieldIssue[] {
  const parsed = z.object({ issues: z.array(FieldIssue) }).safeParse(details)
  return parsed.success ? parsed.data.issues : []
}

/** A bad request about one value, marked for the form that sent it. */
export function fieldError(path: FieldIssue['path'], message: string, summary = message): StudioError {
  return new StudioError('bad_request', summary, { issues: [{ path, message }] })
}

/**
 * A zod issue as a rule a person can follow ("at most 1", "a whole number"). Messages a schema wrote itself
 * are kept; zod's generic ones ("Too big: expected number to be <=1") are reworded.
 */
export function issueText(issue: z.core.$ZodIssue): string {
  if (!/^(Too big|Too small|Invalid input)/.test(issue.message)) return issue.message
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'number' || issue.origin === 'bigint'
        ? `must be ${issue.inclusive ? 'at most' : 'below'} ${String(issue.maximum)}`
        : `must have at most ${String(issue.maximum)} ${issue.origin === 'string' ? 'characters' : 'items'}`
    case 'too_small':
      if (issue.origin === 'number' || issue.origin === 'bigint') return `must be ${issue.inclusive ? 'at least' : 'above'} ${String(issue.minimum)}`
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty'
      return `must have at least ${String(issue.minimum)} ${issue.origin === 'string' ? 'characters' : 'items'}`
    case 'invalid_type':
      if (issue.expected === 'int') return 'must be a whole number'
      if (issue.expected === 'number') return 'must be a number'
      return issue.message
    default:
      return issue.message
  }
}
