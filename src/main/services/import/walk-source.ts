import type { Dirent } from 'node:fs'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

/** A file to read, or something the walk already knows it will not read (a link, a pipe, a locked folder). */
export type SourceEntry = { kind: 'file'; relPath: string; absPath: string } | { kind: 'skip'; relPath: string; reason: string }

export interface SourceListing {
  entries: SourceEntry[]
  hiddenIgnored: number
}

export interface WalkOptions {
  /** Folders never entered, e.g. the library's datasets folder when it sits inside the source. */
  exclude?: readonly string[]
  signal?: AbortSignal
  onFound?: (found: number) => void
}

/**
 * Lists a source folder recursively, in a stable order (names sorted by code unit, folders entered where
 * they sort), so importing the same folder twice packs images in the same order.
 *
 * - Symbolic links are never followed, to a file or a folder: a link can lead out of the folder the user
 *   chose (or into a loop). They are listed as skipped so the user sees why a file is missing.
 * - Hidden files and folders (names starting with '.') are passed over without being read and only
 *   counted: they are OS and tool droppings (.DS_Store, ._ AppleDouble files that carry image extensions but
 *   no image, .git, thumbnail caches that would add downscaled copies of the user's images).
 * - A folder that cannot be listed is recorded as skipped; only an unreadable source root is fatal.
 */
export async function walkSource(root: string, options: WalkOptions = {}): Promise<SourceListing> {
  const entries: SourceEntry[] = []
  const exclude = new Set((options.exclude ?? []).map((p) => path.resolve(p)))
  let hiddenIgnored = 0

  const visit = async (absDir: string, relDir: string): Promise<void> => {
    options.signal?.throwIfAborted()
    let dirents: Dirent[]
    try {
      dirents = await fs.readdir(absDir, { withFileTypes: true })
    } catch (error) {
      if (relDir === '') throw error
      entries.push({ kind: 'skip', relPath: relDir, reason: `unreadable folder: ${describeFsError(error)}` })
      return
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const d of dirents) {
      if (d.name.startsWith('.')) {
        hiddenIgnored += 1
        continue
      }
      const absPath = path.join(absDir, d.name)
      const relPath = relDir === '' ? d.name : `${relDir}/${d.name}`
      if (d.isSymbolicLink()) {
        entries.push({ kind: 'skip', relPath, reason: 'symbolic link (links are not followed)' })
      } else if (d.isDirectory()) {
        if (!exclude.has(absPath)) await visit(absPath, relPath)
      } else if (d.isFile()) {
        entries.push({ kind: 'file', relPath, absPath })
        options.onFound?.(entries.length)
      } else {
        entries.push({ kind: 'skip', relPath, reason: `not a regular file (${specialKind(d)})` })
      }
    }
  }

  await visit(path.resolve(root), '')
  return { entries, hiddenIgnored }
}

interface KindOf {
  isDirectory(): boolean
  isFIFO(): boolean
  isSocket(): boolean
  isBlockDevice(): boolean
  isCharacterDevice(): boolean
}

export function specialKind(d: KindOf): string {
  if (d.isDirectory()) return 'folder'
  if (d.isFIFO()) return 'named pipe'
  if (d.isSocket()) return 'socket'
  if (d.isBlockDevice() || d.isCharacterDevice()) return 'device'
  return 'unknown kind'
}

/** A file-system error in the words the manifest uses: 'permission denied', 'I/O error', … */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'ENOENT':
      return 'it disappeared during the import'
    case 'EIO':
      return 'I/O error (failing disk or network share?)'
    case 'ELOOP':
      return 'it is a symbolic link (links are not followed)'
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files'
    default:
      return code ?? (error instanceof Error ? error.message : String(error))
  }
}
