import * as fs from 'node:fs'
import * as path from 'node:path'

/** Total size of the files under `dir`, in bytes: what a packed run or demo adds to the repository. */
export function folderBytes(dir) {
  let bytes = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    bytes += entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size
  }
  return bytes
}
