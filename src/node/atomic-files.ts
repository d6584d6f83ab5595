import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import path from 'node:path'

/**
 * The write primitives the library is kept consistent with, on both sides (settings and run records in the
 * main process, run folders in the trainer engines): a file is written under a temporary name, flushed to
 * disk, renamed over the real name, and the folder is flushed so the rename itself survives a power cut.
 * Readers therefore see either the old file or the new one, never half of one.
 */

/** Writes `data` to `file` atomically (temp + fsync + rename + fsync of the folder). */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file)
  // pid + random suffix: two writers of the same file (a stale engine and a new one, or the studio and an
  // engine) never write into each other's temporary file.
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

/** Writes `value` as indented JSON with a final newline, atomically. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`)
}

/**
 * Writes a file and flushes it to disk before returning; not atomic on its own (use it inside a folder that is
 * renamed into place afterwards). `exclusive` refuses to replace an existing file.
 */
export async function writeAndSync(file: string, data: Uint8Array | string, options: { exclusive?: boolean } = {}): Promise<void> {
  const handle = await open(file, options.exclusive ? 'wx' : 'w')
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

// What we get where a folder cannot be fsynced at all (some network and FUSE file systems, a folder we may
// write but not read): the rename is then as durable as that file system makes it, and failing the write
// would help nobody. Anything else (EIO, a missing folder) is a real failure and is thrown.
const CANNOT_SYNC_FOLDERS = new Set(['EISDIR', 'EINVAL', 'ENOTSUP', 'EPERM', 'EACCES', 'EBADF'])

/** Flushes a folder's entries, so renames and new files in it survive a power cut. */
export async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a folder for syncing; NTFS journals the rename, so it is already durable there.
  if (process.platform === 'win32') return
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (error) {
    if (!CANNOT_SYNC_FOLDERS.has((error as NodeJS.ErrnoException).code ?? '')) throw error
  } finally {
    await handle?.close()
  }
}
