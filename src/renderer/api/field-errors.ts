import type { z } from 'zod'
import { StudioError, fieldIssuesIn, fieldIssuesOf } from '../../shared/api/errors'

/** What is wrong with each field of a form, keyed by the request path it fills ("train.learningRate"). */
export type FieldErrors = Record<string, string>

function byPath(issues: { path: (string | number)[]; message: string }[]): FieldErrors {
  const errors: FieldErrors = {}
  for (const issue of issues) {
    const key = issue.path.join('.')
    errors[key] ??= issue.message
  }
  return errors
}

/** The fields a studio error names (a request that failed validation carries them in its details). */
export function fieldErrorsOf(err: unknown): FieldErrors {
  return err instanceof StudioError ? byPath(fieldIssuesIn(err.details)) : {}
}

/** The same check the studio will make, run in the form first: the schema is the one the API validates with. */
export function schemaErrors(schema: z.ZodType, value: unknown): FieldErrors {
  const parsed = schema.safeParse(value)
  return parsed.success ? {} : byPath(fieldIssuesOf(parsed.error))
}

/** The first problem of one value against a schema, for a single-field form such as a prompt. */
export function valueProblem(schema: z.ZodType, value: unknown): string | null {
  const parsed = schema.safeParse(value)
  return parsed.success ? null : (fieldIssuesOf(parsed.error)[0]?.message ?? 'not allowed')
}

/** The props that mark an input invalid and tie it to its message (rendered by <FieldMessage>). */
export function invalidProps(error: string | undefined, id: string): { 'aria-invalid'?: true; 'aria-describedby'?: string } {
  return error ? { 'aria-invalid': true, 'aria-describedby': id } : {}
}
