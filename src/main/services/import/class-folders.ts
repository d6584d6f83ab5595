import type { SourceEntry } from './walk-source'

/**
 * Folder-per-class labels, the layout of most labelled image sets (and of torchvision's ImageFolder): each
 * top-level subfolder of the source is a class named by the folder, and every image under it, at any depth,
 * belongs to it.
 */

/** Labels are one byte each (labels.u8). */
export const MAX_CLASSES = 256

/** Why a file directly in the source folder is not imported when classes come from folders. */
export const NOT_IN_CLASS_FOLDER = 'not in a class folder (with folder-per-class labels, each image sits in its class’s folder)'

/** The class folder a source-relative path lies in ('cat/x.png' → 'cat'), or null for a file at the top. */
export function classFolderOf(relPath: string): string | null {
  const slash = relPath.indexOf('/')
  return slash > 0 ? relPath.slice(0, slash) : null
}

/**
 * The classes: top-level folders holding at least one file, sorted by name (code unit order, the walk's
 * own), so label k is the same for the same folders on every machine. A folder with nothing in it is no class.
 */
export function classList(entries: readonly SourceEntry[]): string[] {
  const names = new Set<string>()
  for (const entry of entries) {
    if (entry.kind !== 'file') continue
    const name = classFolderOf(entry.relPath)
    if (name !== null) names.add(name)
  }
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
