import * as fs from 'node:fs'
import * as path from 'node:path'
import { EXPORT_RECORD_VERSION, type ExportRecord } from '../../../shared/api/export'
import type { ErasureSpec } from '../../../shared/api/explore'
import type { RunRecord } from '../../../shared/formats/run'
import { appRoot } from '../app-paths'

/** Plain JSON of a request or result: z vectors (Float32Array) become arrays, which read back exactly. */
export function plainJson(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v))) as Record<string, unknown>
}

let version: string | null | undefined

function studioVersion(): string | null {
  if (version === undefined) {
    try {
      version = (JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? null
    } catch {
      version = null
    }
  }
  return version
}

export function exportRecord(fields: {
  operation: ExportRecord['operation']
  file: string
  run: RunRecord
  step: number
  erase: ErasureSpec | null
  request: unknown
  latent: unknown
  output: unknown
  encoder?: ExportRecord['encoder']
}): ExportRecord {
  return {
    formatVersion: EXPORT_RECORD_VERSION,
    kind: 'dcgan-studio-export',
    operation: fields.operation,
    file: path.basename(fields.file),
    createdAt: new Date().toISOString(),
    studioVersion: studioVersion(),
    run: {
      id: fields.run.id,
      name: fields.run.name,
      checkpointStep: fields.step,
      dataset: fields.run.dataset?.name ?? null,
      model: fields.run.model,
      erasure: fields.erase
    },
    request: plainJson(fields.request),
    latent: plainJson(fields.latent),
    output: plainJson(fields.output),
    encoder: fields.encoder ?? null
  }
}

/** `<file>.json` beside an exported file. */
export function sidecarPath(file: string): string {
  return `${file}.json`
}

/**
 * The record as written (by PendingOutput.commit, with the export): indented JSON, except that arrays of
 * numbers (z vectors) stay on one line each: readable, and a tenth the size.
 */
export function recordText(record: ExportRecord): string {
  const text = JSON.stringify(record, null, 2).replace(
    /\[\s+(-?[\d.eE+-]+(?:,\s+-?[\d.eE+-]+)*)\s+\]/g,
    (_all, numbers: string) => `[${numbers.replace(/\s+/g, '')}]`
  )
  return `${text}\n`
}
