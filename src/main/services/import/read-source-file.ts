import { constants } from 'node:fs'
import * as fs from 'node:fs/promises'
import { describeFsError, specialKind } from './walk-source'

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; reason: string }

// O_NOFOLLOW: the walk already skips links, but a file can be swapped for a link between listing and
// reading. O_NONBLOCK: opening a named pipe must not hang the import. Neither exists on Windows.
const optional: { O_NOFOLLOW?: number; O_NONBLOCK?: number } = constants
const OPEN_FLAGS = constants.O_RDONLY | (optional.O_NOFOLLOW ?? 0) | (optional.O_NONBLOCK ?? 0)

/**
 * Reads a whole source file, read-only, refusing anything but a regular file under `maxBytes`. The size is
 * taken from the open handle, so the limit holds even if the file changes after it was listed. Never throws
 * for a problem with the file itself: the reason goes to the manifest.
 */
export async function readSourceFile(absPath: string, maxBytes: number): Promise<ReadResult> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(absPath, OPEN_FLAGS)
  } catch (error) {
    return { ok: false, reason: `unreadable: ${describeFsError(error)}` }
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) return { ok: false, reason: `not a regular file (${specialKind(stat)})` }
    if (stat.size === 0) return { ok: false, reason: 'zero-byte file' }
    if (stat.size > maxBytes) {
      return { ok: false, reason: `over the file-size limit (${formatBytes(stat.size)} > ${formatBytes(maxBytes)})` }
    }
    const bytes = Buffer.allocUnsafe(stat.size)
    let filled = 0
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    if (filled < bytes.length) return { ok: false, reason: 'unreadable: the file shrank while it was being read' }
    return { ok: true, bytes }
  } catch (error) {
    return { ok: false, reason: `unreadable: ${describeFsError(error)}` }
  } finally {
    await handle.close()
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}
