import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { z } from 'zod'
import { StudioError, describeZodError } from '../../shared/api/errors'
import {
  CheckpointMeta,
  type FavouriteSample,
  FavouritesFile,
  LatestCheckpoint,
  MetricsLine,
  RUN_FILES,
  RunId,
  RunRecord,
  sampleFileName,
  stepName
} from '../../shared/formats/run'
import { writeJsonAtomic } from '../../node/atomic-files'

/**
 * Runs on disk (`runs/<id>/`, see src/shared/formats/run.ts). The Node side owns run.json; the trainer owns
 * the rest. Every read validates what it reads and names the file when something is wrong. In a studio, one
 * RunStore writes a library's run records, each through `update`, so no write is based on a stale copy.
 */
export class RunStore {
  /** Per run: the last queued write of its record, settled (see `update`). */
  private readonly queues = new Map<string, Promise<void>>()

  constructor(readonly dir: string) {}

  folder(id: string): string {
    const parsed = RunId.safeParse(id)
    if (!parsed.success) throw new StudioError('bad_request', `"${id}" is not a run id.`)
    return path.join(this.dir, parsed.data)
  }

  newId(name: string): string {
    const slug =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60) || 'run'
    return `${slug}-${randomBytes(3).toString('hex')}`
  }

  async ids(): Promise<string[]> {
    const entries = await fs.promises.readdir(this.dir, { withFileTypes: true }).catch(() => [])
    return entries.filter((e) => e.isDirectory() && RunId.safeParse(e.name).success).map((e) => e.name)
  }

  async read(id: string): Promise<RunRecord> {
    const file = path.join(this.folder(id), RUN_FILES.record)
    return readJson(file, RunRecord, `There is no run ${id}.`)
  }

  /** Writes the record of a new run (its folder is made here). */
  async create(record: RunRecord): Promise<RunRecord> {
    return this.serialised(record.id, async () => {
      const created = { ...record, updatedAt: new Date().toISOString() }
      await fs.promises.mkdir(this.folder(record.id), { recursive: true })
      await writeJsonAtomic(path.join(this.folder(record.id), RUN_FILES.record), created)
      return created
    })
  }

  /**
   * The one way a run's record changes. `change` is given the record as it is on disk once every earlier
   * update of this run has been written (updates of one run are applied one at a time, in the order asked),
   * and returns the new record, or null to leave it as it is. Resolves with what was written, or null.
   */
  async update(id: string, change: (record: RunRecord) => RunRecord | null | Promise<RunRecord | null>): Promise<RunRecord | null> {
    return this.serialised(id, async () => {
      const current = await this.read(id)
      const changed = await change(current)
      if (!changed) return null
      const updated = { ...changed, id: current.id, updatedAt: new Date().toISOString() }
      await writeJsonAtomic(path.join(this.folder(id), RUN_FILES.record), updated)
      return updated
    })
  }

  /**
   * Runs `work` once everything queued before it for this run has settled. Chained synchronously, so the
   * order of the calls is the order of the writes, whatever each one awaits.
   */
  private serialised<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve()
    const result = previous.then(work)
    const settled = result.then(
      () => undefined,
      () => undefined
    )
    this.queues.set(id, settled)
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id)
    })
    return result
  }

  async latest(id: string): Promise<LatestCheckpoint | null> {
    const file = path.join(this.folder(id), RUN_FILES.latest)
    if (!fs.existsSync(file)) return null
    return readJson(file, LatestCheckpoint, `${file} is missing.`)
  }

  /** Complete checkpoints (those with their checkpoint.json), oldest first. */
  async checkpoints(id: string): Promise<CheckpointMeta[]> {
    const dir = path.join(this.folder(id), RUN_FILES.checkpoints)
    const names = await fs.promises.readdir(dir).catch(() => [] as string[])
    const metas: CheckpointMeta[] = []
    for (const name of names.filter((n) => /^\d{8}$/.test(n)).sort()) {
      const meta = await readJson(path.join(dir, name, RUN_FILES.checkpointMeta), CheckpointMeta, '').catch(() => null)
      if (meta) metas.push(meta)
    }
    return metas
  }

  checkpointDir(id: string, step: number): string {
    return path.join(this.folder(id), RUN_FILES.checkpoints, stepName(step))
  }

  /** A complete checkpoint folder (generator/ and discriminator/): the given step, or the latest one. */
  async completeCheckpoint(id: string, step: number | null): Promise<{ dir: string; step: number }> {
    const chosen = step ?? (await this.latest(id))?.step ?? null
    if (chosen === null) throw new StudioError('not_found', `Run ${id} has no checkpoint yet; train it for a while first.`)
    const dir = this.checkpointDir(id, chosen)
    if (!fs.existsSync(path.join(dir, RUN_FILES.checkpointMeta))) {
      throw new StudioError('not_found', `Run ${id} has no complete checkpoint at step ${chosen}.`)
    }
    return { dir, step: chosen }
  }

  async sampleSteps(id: string): Promise<number[]> {
    const names = await fs.promises.readdir(path.join(this.folder(id), RUN_FILES.samples)).catch(() => [] as string[])
    return names
      .map((n) => /^step-(\d{8})\.png$/.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b)
  }

  async samplePng(id: string, step: number): Promise<Uint8Array<ArrayBuffer>> {
    const file = path.join(this.folder(id), RUN_FILES.samples, sampleFileName(step))
    try {
      const bytes = await fs.promises.readFile(file)
      return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
    } catch {
      throw new StudioError('not_found', `Run ${id} has no sample grid at step ${step}.`)
    }
  }

  /** Metrics thinned to at most `maxPoints` evenly spaced lines (always keeping the last). */
  async metrics(id: string, maxPoints = 1000): Promise<MetricsLine[]> {
    const file = path.join(this.folder(id), RUN_FILES.metrics)
    const text = await fs.promises.readFile(file, 'utf8').catch(() => '')
    const lines: MetricsLine[] = []
    for (const line of text.split('\n')) {
      if (!line.trim()) continue
      // A torn last line (killed mid-append) is skipped, not fatal.
      try {
        const parsed = MetricsLine.safeParse(JSON.parse(line))
        if (parsed.success) lines.push(parsed.data)
      } catch {
        continue
      }
    }
    if (lines.length <= maxPoints) return lines
    const stride = lines.length / maxPoints
    const thinned = Array.from({ length: maxPoints - 1 }, (_, i) => lines[Math.floor(i * stride)] as MetricsLine)
    thinned.push(lines[lines.length - 1] as MetricsLine)
    return thinned
  }

  /**
   * A new run that starts from another run's checkpoint: the checkpoint, the metrics and sample grids up to
   * it are copied, and latest.json names it. Training the branch continues from that step.
   */
  async branch(source: RunRecord, step: number, record: RunRecord): Promise<void> {
    const from = this.folder(source.id)
    const to = this.folder(record.id)
    const staging = path.join(this.dir, `.tmp-${record.id}`)
    await fs.promises.rm(staging, { recursive: true, force: true })
    await fs.promises.mkdir(path.join(staging, RUN_FILES.checkpoints), { recursive: true })
    await fs.promises.cp(this.checkpointDir(source.id, step), path.join(staging, RUN_FILES.checkpoints, stepName(step)), { recursive: true })
    await fs.promises.mkdir(path.join(staging, RUN_FILES.samples), { recursive: true })
    for (const sampleStep of await this.sampleSteps(source.id)) {
      if (sampleStep > step) continue
      await fs.promises.copyFile(
        path.join(from, RUN_FILES.samples, sampleFileName(sampleStep)),
        path.join(staging, RUN_FILES.samples, sampleFileName(sampleStep))
      )
    }
    const metrics = await fs.promises.readFile(path.join(from, RUN_FILES.metrics), 'utf8').catch(() => '')
    const kept = metrics.split('\n').filter((line) => {
      try {
        return line.trim() !== '' && (JSON.parse(line) as { step: number }).step <= step
      } catch {
        return false
      }
    })
    await fs.promises.writeFile(path.join(staging, RUN_FILES.metrics), kept.map((l) => `${l}\n`).join(''))
    const latest: LatestCheckpoint = { step, dir: stepName(step), writtenAt: new Date().toISOString() }
    await writeJsonAtomic(path.join(staging, RUN_FILES.latest), latest)
    await writeJsonAtomic(path.join(staging, RUN_FILES.record), record)
    // The branch appears whole or not at all.
    await fs.promises.rename(staging, to)
  }

  /** The run's favourite samples (none when the file is absent). */
  async favourites(id: string): Promise<FavouriteSample[]> {
    const file = path.join(this.folder(id), RUN_FILES.favourites)
    if (!fs.existsSync(file)) return []
    return (await readJson(file, FavouritesFile, `${file} is missing.`)).samples
  }

  async writeFavourites(id: string, samples: FavouriteSample[]): Promise<void> {
    await this.read(id)
    const file: FavouritesFile = { formatVersion: 1, samples }
    await writeJsonAtomic(path.join(this.folder(id), RUN_FILES.favourites), file)
  }

  /** Deletes the run's folder once any update queued for its record is written (none can bring it back). */
  async remove(id: string): Promise<void> {
    const dir = this.folder(id)
    await this.serialised(id, async () => {
      const trash = path.join(this.dir, `.deleting-${id}-${Date.now()}`)
      await fs.promises.rename(dir, trash)
      await fs.promises.rm(trash, { recursive: true, force: true })
    })
  }
}

/** Reads and validates a JSON file; every failure is a StudioError naming the file (`missing` when it is not there). */
export async function readJson<T>(file: string, schema: z.ZodType<T>, missing: string): Promise<T> {
  let text: string
  try {
    text = await fs.promises.readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StudioError('not_found', missing || `${file} is missing.`)
    throw new StudioError('io_error', `Cannot read ${file}: ${(err as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new StudioError('io_error', `${file} is not valid JSON; it may be damaged.`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new StudioError('io_error', describeZodError(parsed.error, file))
  return parsed.data
}
