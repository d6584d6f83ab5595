import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { z } from 'zod'
import { StudioError, describeZodError } from '../../shared/api/errors'
import { ConceptRecord, type SaveConceptParams } from '../../shared/api/explore'
import { writeJsonAtomic } from '../../node/atomic-files'

/** Named latent vectors in the library (`concepts/<id>.json`), with how they were made. */
export class Concepts {
  constructor(readonly dir: string) {}

  async list(runId?: string): Promise<ConceptRecord[]> {
    const names = await fs.promises.readdir(this.dir).catch(() => [] as string[])
    const records: ConceptRecord[] = []
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
      const record = await this.read(path.join(this.dir, name)).catch(() => null)
      if (record && (runId === undefined || record.runId === runId)) records.push(record)
    }
    return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }

  async get(id: string): Promise<ConceptRecord> {
    if (!/^[a-z0-9][a-z0-9-]{0,79}$/.test(id)) throw new StudioError('bad_request', `"${id}" is not a concept id.`)
    return this.read(path.join(this.dir, `${id}.json`))
  }

  async save(params: z.output<typeof SaveConceptParams>): Promise<ConceptRecord> {
    const slug = params.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'concept'
    const record: ConceptRecord = {
      formatVersion: 1,
      id: `${slug}-${randomBytes(3).toString('hex')}`,
      name: params.name,
      kind: params.kind,
      runId: params.runId,
      zDim: params.vector.length,
      vector: Array.from(params.vector),
      provenance: params.provenance,
      createdAt: new Date().toISOString()
    }
    await fs.promises.mkdir(this.dir, { recursive: true })
    await writeJsonAtomic(path.join(this.dir, `${record.id}.json`), record)
    return record
  }

  async remove(id: string): Promise<void> {
    const concept = await this.get(id)
    await fs.promises.rm(path.join(this.dir, `${concept.id}.json`))
  }

  private async read(file: string): Promise<ConceptRecord> {
    let text: string
    try {
      text = await fs.promises.readFile(file, 'utf8')
    } catch {
      throw new StudioError('not_found', `There is no concept at ${file}.`)
    }
    const parsed = ConceptRecord.safeParse(JSON.parse(text))
    if (!parsed.success) throw new StudioError('io_error', describeZodError(parsed.error, file))
    return parsed.data
  }
}
