import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { syncDirectory, writeAndSync } from '../../../node/atomic-files'
import { DATASET_FILES, DatasetManifest } from '../../../shared/formats/dataset'

/** Prefix of in-progress imports inside the datasets folder; readers of the library must ignore these. */
export const DRAFT_PREFIX = '.tmp-'

/**
 * A dataset being written. Everything goes into `datasets/.tmp-<id>/`; only `commit` makes it visible, by
 * renaming the finished folder to `datasets/<id>/` after every file is flushed to disk. So a cancelled,
 * failed or crashed import never leaves a half dataset where the library would find it.
 */
export class DatasetDraft {
  private constructor(
    readonly id: string,
    readonly datasetsDir: string,
    readonly dir: string,
    private images: fs.FileHandle | null,
    private labels: fs.FileHandle | null
  ) {}

  static async create(datasetsDir: string, id: string, withLabels: boolean): Promise<DatasetDraft> {
    await fs.mkdir(datasetsDir, { recursive: true })
    const dir = path.join(datasetsDir, `${DRAFT_PREFIX}${id}`)
    await fs.mkdir(dir)
    try {
      const images = await fs.open(path.join(dir, DATASET_FILES.images), 'wx')
      const labels = withLabels ? await fs.open(path.join(dir, DATASET_FILES.labels), 'wx') : null
      return new DatasetDraft(id, datasetsDir, dir, images, labels)
    } catch (error) {
      await fs.rm(dir, { recursive: true, force: true })
      throw error
    }
  }

  /** Appends packed pixels; callers append in dataset order. */
  async appendImages(pixels: Uint8Array): Promise<void> {
    await writeAll(this.need(this.images), pixels)
  }

  async appendLabels(labels: Uint8Array): Promise<void> {
    await writeAll(this.need(this.labels), labels)
  }

  /** Writes the manifest and thumbnails, flushes everything, and moves the folder into place. */
  async commit(manifest: DatasetManifest, thumbsPng: Buffer): Promise<string> {
    // Validate our own output: a manifest the reader would reject must never reach the library.
    const checked = DatasetManifest.parse(manifest)
    for (const handle of [this.images, this.labels]) {
      if (!handle) continue
      await handle.sync()
      await handle.close()
    }
    this.images = null
    this.labels = null
    await writeAndSync(path.join(this.dir, DATASET_FILES.thumbs), thumbsPng, { exclusive: true })
    await writeAndSync(path.join(this.dir, DATASET_FILES.manifest), `${JSON.stringify(checked, null, 2)}\n`, { exclusive: true })
    await syncDirectory(this.dir)
    const target = path.join(this.datasetsDir, this.id)
    // rename() would replace an empty folder of the same name; the id is random, so this is a real clash.
    if (await exists(target)) throw new Error(`Cannot finish the import: ${target} already exists.`)
    await fs.rename(this.dir, target)
    await syncDirectory(this.datasetsDir)
    return target
  }

  /** Removes the draft folder. Safe to call more than once and after a failed commit. */
  async discard(): Promise<void> {
    for (const handle of [this.images, this.labels]) await handle?.close().catch(() => undefined)
    this.images = null
    this.labels = null
    await fs.rm(this.dir, { recursive: true, force: true })
  }

  private need(handle: fs.FileHandle | null): fs.FileHandle {
    if (!handle) throw new Error('Internal error: writing to a dataset draft that is closed or has no such file')
    return handle
  }
}

/** A draft untouched this long belongs to an import that crashed or was killed, not to one still running. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000

/**
 * Removes draft folders left by imports that died without cleaning up (a crash, a killed process). Meant for
 * when the library opens. A draft is only removed when none of its files changed for an hour, so an import
 * running in another process (the CLI beside the app) keeps its draft. Returns the folders removed.
 */
export async function removeAbandonedDrafts(datasetsDir: string, olderThanMs = ABANDONED_AFTER_MS): Promise<string[]> {
  let names: string[]
  try {
    names = await fs.readdir(datasetsDir)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names.filter((n) => n.startsWith(DRAFT_PREFIX))) {
    const dir = path.join(datasetsDir, name)
    const stamps = await Promise.all(
      [dir, ...(await fs.readdir(dir).catch(() => [] as string[])).map((f) => path.join(dir, f))].map((p) =>
        fs.lstat(p).then(
          (s) => s.mtimeMs,
          () => 0
        )
      )
    )
    if (Date.now() - Math.max(...stamps) < olderThanMs) continue
    await fs.rm(dir, { recursive: true, force: true })
    removed.push(dir)
  }
  return removed
}

/**
 * A new dataset id: the name's words, for people browsing the library folder, and a random suffix, so two
 * imports of folders with the same name never collide.
 */
export function newDatasetId(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '')
  return `${slug || 'dataset'}-${randomBytes(3).toString('hex')}`
}

async function writeAll(handle: fs.FileHandle, data: Uint8Array): Promise<void> {
  let written = 0
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written)
    written += bytesWritten
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p)
    return true
  } catch {
    return false
  }
}
