import * as fs from 'node:fs'
import * as path from 'node:path'
import type { z } from 'zod'
import { describeZodError } from '../../../shared/api/errors'
import { ExportRecord } from '../../../shared/api/export'
import { UsageError } from '../args'

/** Options checked against a schema, or a usage error that names what is wrong. */
export function parsed<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw new UsageError(describeZodError(result.error, what))
  return result.data
}

/** The record beside an earlier export, checked. */
export function readExportRecord(file: string): ExportRecord {
  const source = path.resolve(file)
  let json: unknown
  try {
    json = JSON.parse(fs.readFileSync(source, 'utf8'))
  } catch (err) {
    throw new UsageError(`Cannot read the export record ${source}: ${(err as Error).message}`)
  }
  return parsed(ExportRecord, json, source)
}

/** The request recorded beside an earlier export (for `--from`), checked to be of the export being asked for. */
export function recordedRequest(file: string, operation: ExportRecord['operation'], what: string): Record<string, unknown> {
  const record = readExportRecord(file)
  if (record.operation !== operation) throw new UsageError(`${path.resolve(file)} records a ${record.operation} export, not ${what}.`)
  return record.request
}
