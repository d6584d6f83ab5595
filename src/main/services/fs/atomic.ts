import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * Writes a file so that readers see either the old content or the new, never a torn one, even if the
 * process is killed or the machine loses power mid-write: temp file in the same folder, fsync, rename, fsync
 * the folder.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file)
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await fs.promises.open(temp, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await fs.promises.rename(temp, file)
  } catch (err) {
    await fs.promises.rm(temp, { force: true })
    throw err
  }
  await syncDir(dir)
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`)
}

export async function syncDir(dir: string): Promise<void> {
  // Directory fsync makes the rename itself durable; not every platform allows opening a folder.
  try {
    const handle = await fs.promises.open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Windows: directories cannot be opened this way; NTFS journals the rename.
  }
}
