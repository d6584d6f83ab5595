import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { z } from 'zod'
import { StudioError, describeZodError } from '../../shared/api/errors'
import { writeJsonAtomic } from '../../node/atomic-files'

/** What every library record has: a file-safe id, the run it belongs to, and when it was made. */
interface LibraryRecord {
  id: string
  runId: string
  createdAt: string
}

const ID = /^[a-z0-9][a-z0-9-]{0,79}$/

/**
 * Named records the user saves in the library, one JSON file each (`<dir>/<id>.json`): concepts, erasures.
 * Every file is validated when read and written atomically, so a half-written or hand-edited file is reported
 * by name, never half-used.
 */
export class RecordStore<T extends LibraryRecord> {
  constructor(
    readonly dir: string,
    private readonly schema: z.ZodType<T>,
    /** What a record is called in messages ("concept", "erasure"). */
    private readonly noun: string
  ) {}

  /** Every readable record (of one run, if given), newest first. */
  async list(runId?: string): Promise<T[]> {
    const names = await fs.promises.readdir(this.dir).catch(() => [] as string[])
    const records: T[] = []
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
      const record = await this.read(path.join(this.dir, name)).catch(() => null)
      if (record && (runId === undefined || record.runId === runId)) records.push(record)
    }
    return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }

  async get(id: string): Promise<T> {
    if (!ID.test(id)) throw new StudioError('bad_request', `"${id}" is not ${article(this.noun)} ${this.noun} id.`)
    return this.read(path.join(this.dir, `${id}.json`))
  }

  /** A fresh id made from a name: its slug and a random suffix. */
  newId(name: string): string {
    const slug =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60) || this.noun
    return `${slug}-${randomBytes(3).toString('hex')}`
  }

  async put(record: T): Promise<T> {
    const checked = this.schema.parse(record)
    await fs.promises.mkdir(this.dir, { recursive: true })
    await writeJsonAtomic(path.join(this.dir, `${checked.id}.json`), checked)
    return checked
  }

  async remove(id: string): Promise<void> {
    const record = await this.get(id)
    await fs.promises.rm(path.join(this.dir, `${record.id}.json`))
  }

  /** Removes every record of a run (the run was deleted: its concepts and erasures mean nothing without it). */
  async removeRun(runId: string): Promise<void> {
    for (const record of await this.list(runId)) await fs.promises.rm(path.join(this.dir, `${record.id}.json`), { force: true })
  }

  private async read(file: string): Promise<T> {
    let text: string
    try {
      text = await fs.promises.readFile(file, 'utf8')
    } catch {
      throw new StudioError('not_found', `There is no ${this.noun} at ${file}.`)
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      throw new StudioError('io_error', `${file} is not valid JSON: ${(error as Error).message}`)
    }
    const parsed = this.schema.safeParse(json)
    if (!parsed.success) throw new StudioError('io_error', describeZodError(parsed.error, file))
    return parsed.data
  }
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? 'an' : 'a'
}
