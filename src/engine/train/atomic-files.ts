import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import path from 'node:path'

/**
 * The write primitives a run folder is kept consistent with: a file is written under a temporary name, flushed
 * to disk, renamed over the real name, and the directory is flushed so the rename itself survives a power cut.
 * Readers therefore see either the old file or the new one, never half of one.
 */

/** Writes `data` to `file` atomically (temp + fsync + rename + fsync of the directory). */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file)
  // A random suffix keeps two writers of the same file (a stale engine and a new one) out of each other's temp.
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
  try {
    await writeAndSync(temp, data)
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  await syncDirectory(dir)
}

/** Writes a new file and flushes it to disk before returning. */
export async function writeAndSync(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(file, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Flushes an existing file (e.g. an append-only log) to disk. A missing file is nothing to flush. */
export async function syncFile(file: string): Promise<void> {
  let handle
  try {
    handle = await open(file, 'r+')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Flushes a directory's entries. Windows cannot open a directory for syncing; there rename is already durable. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
