import { createHash } from 'node:crypto'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import {
  DATASET_FILES,
  DATASET_FORMAT_VERSION,
  DATASET_NAME_MAX,
  DatasetImageSize,
  summarizeOutcomes,
  type DatasetManifest,
  type FileOutcome
} from '../../../shared/formats/dataset'
import { ContactSheet } from './contact-sheet'
import { classFolderOf, classList, MAX_CLASSES, NOT_IN_CLASS_FOLDER } from './class-folders'
import { DatasetDraft, newDatasetId } from './dataset-draft'
import { DEFAULT_LIMITS, decodeToSquare, type ImportLimits } from './decode-image-file'
import { ImportError } from './import-error'
import { progressReporter, type ImportProgress } from './import-progress'
import { readSourceFile } from './read-source-file'
import { sniffImage } from './sniff-image'
import type { Fit, SquareOptions } from './square-pixels'
import { describeFsError, walkSource, type SourceEntry, type SourceListing } from './walk-source'

/**
 * Transparent pixels and padding become white: a transparent background is what the user's viewers show on
 * white pages, and white keeps logo/icon/sprite sets looking as their authors meant.
 */
export const IMPORT_BACKGROUND = 'white'

/** Files decoded at once: enough to overlap reading with decoding without taking the CPU from training. */
const CONCURRENCY = 2

export { DEFAULT_LIMITS, type ImportLimits }

export interface ImportFolderOptions {
  /** The folder to import; read, never modified. */
  source: string
  /** The library's datasets folder; the new dataset is `datasetsDir/<id>/`. */
  datasetsDir: string
  /** Square side of the packed images, 8..256 (the models use 32, 64 or 128). */
  size: number
  /** One channel of luminance instead of RGB. */
  grayscale?: boolean
  /** Shown in the library; defaults to the folder's name. */
  name?: string
  /** The dataset's id; defaults to a new one from the name. Recreating a run's dataset keeps the id the run records. */
  id?: string
  /** crop: keep the centre square; pad: keep the whole image, adding background bars. */
  fit: Fit
  /**
   * Folder-per-class labels: every top-level subfolder is a class named by the folder (sorted by name, label
   * 0 first); its images, at any depth, get that label. Files directly in the source folder are skipped.
   */
  classFolders?: boolean
  signal?: AbortSignal
  onProgress?: (progress: ImportProgress) => void
  limits?: Partial<ImportLimits>
}

export interface ImportResult {
  manifest: DatasetManifest
  /** The finished dataset folder. */
  dir: string
}

type Processed =
  | { relPath: string; kind: 'skipped'; reason: string }
  | { relPath: string; kind: 'duplicate'; duplicateOf: string }
  | { relPath: string; kind: 'pixels'; hash: string; pixels: Buffer }
  | { relPath: string; kind: 'failed'; error: unknown }

/**
 * Imports every image in a folder tree as a packed dataset. A file that cannot be used (corrupt, not an
 * image, too large, unreadable) is skipped and its reason recorded; only problems with the whole import
 * (source missing, nothing importable, disk errors, cancellation) reject, and then nothing is left behind.
 */
export async function importFolder(options: ImportFolderOptions): Promise<ImportResult> {
  const { signal } = options
  const size = checkSize(options.size)
  const chosenName = checkName(options.name)
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const channels = options.grayscale ? 1 : 3
  const root = await resolveSourceFolder(options.source)
  const report = progressReporter(options.onProgress)

  await fs.mkdir(options.datasetsDir, { recursive: true })
  // If the library sits inside the source, the walk must not read the dataset being written.
  const datasetsReal = await fs.realpath(options.datasetsDir)
  report.scanning(0, true)
  let listing: SourceListing
  try {
    listing = await walkSource(root, { exclude: [datasetsReal], signal, onFound: (found) => report.scanning(found) })
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    throw new ImportError('SOURCE_UNREADABLE', `Cannot read the folder ${root} (${describeFsError(error)}). Check that you may open it.`)
  }
  const { hiddenIgnored } = listing
  const classes = options.classFolders ? classList(listing.entries) : null
  if (classes && classes.length === 0) {
    throw new ImportError(
      'NO_CLASSES',
      `${root} has no class folders with files in them. For folder-per-class labels, put each class's images in a subfolder named after the class (e.g. ${path.join(root, 'cat')}).`
    )
  }
  if (classes && classes.length > MAX_CLASSES) {
    throw new ImportError('NO_CLASSES', `${root} has ${classes.length} class folders; a dataset can have at most ${MAX_CLASSES} classes (labels are one byte).`)
  }
  const labelOf = new Map(classes?.map((name, label) => [name, label]))
  // A file outside every class folder cannot be labelled, so it is recorded as skipped, never guessed.
  const entries: SourceEntry[] = classes
    ? listing.entries.map((e) =>
        e.kind === 'file' && classFolderOf(e.relPath) === null ? { kind: 'skip', relPath: e.relPath, reason: NOT_IN_CLASS_FOLDER } : e
      )
    : listing.entries
  const total = entries.length

  const name = chosenName ?? (path.basename(root).slice(0, DATASET_NAME_MAX) || 'dataset')
  const id = options.id ?? newDatasetId(name)
  const draft = await DatasetDraft.create(options.datasetsDir, id, classes !== null)
  const square: SquareOptions = { size, channels, fit: options.fit, background: IMPORT_BACKGROUND, maxPixels: limits.maxPixels }
  const sheet = new ContactSheet(size, channels)
  const files: FileOutcome[] = []
  // Kept as we go: recounting the files list for every progress event would be quadratic.
  const tally = summarizeOutcomes([], hiddenIgnored)
  const firstByHash = new Map<string, string>()
  // One byte per imported image, written with the images at the end (labels.u8 is tiny next to images.u8).
  const labels: number[] = []
  let count = 0
  const record = (outcome: FileOutcome): void => {
    files.push(outcome)
    tally.seen += 1
    tally[outcome.status] += 1
  }

  const commit = async (p: Processed): Promise<void> => {
    if (p.kind === 'failed') throw p.error
    if (p.kind === 'skipped') {
      record({ path: p.relPath, status: 'skipped', reason: p.reason })
    } else if (p.kind === 'duplicate') {
      record({ path: p.relPath, status: 'duplicate', duplicateOf: p.duplicateOf })
    } else {
      // Checked again here: both copies may have been decoding at the same time.
      const duplicateOf = firstByHash.get(p.hash)
      if (duplicateOf !== undefined) {
        record({ path: p.relPath, status: 'duplicate', duplicateOf })
      } else {
        await draft.appendImages(p.pixels)
        await sheet.add(p.pixels)
        if (classes) labels.push(labelOf.get(classFolderOf(p.relPath) as string) as number)
        firstByHash.set(p.hash, p.relPath)
        record({ path: p.relPath, status: 'imported', index: count })
        count += 1
      }
    }
    report.importing(tally.seen, total, tally)
  }

  // In-order commits over a sliding window: at most CONCURRENCY files in flight, and images.u8 still gets
  // the images in listing order, so imports are reproducible and "first copy" of a duplicate is well defined.
  const inFlight: Promise<Processed>[] = []
  try {
    report.importing(0, total, tally)
    for (const entry of entries) {
      signal?.throwIfAborted()
      inFlight.push(processEntry(entry, limits, square, firstByHash))
      if (inFlight.length >= CONCURRENCY) await commit(await inFlight.shift()!)
    }
    while (inFlight.length > 0) {
      signal?.throwIfAborted()
      await commit(await inFlight.shift()!)
    }
    const summary = { ...tally }
    if (count === 0) throw noImagesError(root, files, hiddenIgnored)

    report.finishing(total)
    if (classes) await draft.appendLabels(Uint8Array.from(labels))
    const { png, thumbs } = await sheet.toPng()
    signal?.throwIfAborted()
    const manifest: DatasetManifest = {
      formatVersion: DATASET_FORMAT_VERSION,
      id,
      name,
      createdAt: new Date().toISOString(),
      source: classes ? { kind: 'folder', path: root, classFolders: true } : { kind: 'folder', path: root },
      size,
      channels,
      count,
      preprocess: { fit: options.fit, background: IMPORT_BACKGROUND, grayscale: channels === 1 },
      ...(classes ? { labels: { file: DATASET_FILES.labels, classes: classes.length, names: classes } } : {}),
      thumbs,
      files,
      summary
    }
    const dir = await draft.commit(manifest, png)
    return { manifest, dir }
  } catch (error) {
    // Let decodes still running finish before the draft folder goes, so nothing writes into a removed folder.
    await Promise.allSettled(inFlight)
    await draft.discard()
    throw error
  }
}

/** Never rejects: whatever goes wrong with one file becomes its recorded outcome. */
async function processEntry(entry: SourceEntry, limits: ImportLimits, square: SquareOptions, firstByHash: ReadonlyMap<string, string>): Promise<Processed> {
  const { relPath } = entry
  try {
    if (entry.kind === 'skip') return { relPath, kind: 'skipped', reason: entry.reason }
    const read = await readSourceFile(entry.absPath, limits.maxFileBytes)
    if (!read.ok) return { relPath, kind: 'skipped', reason: read.reason }
    const hash = createHash('sha256').update(read.bytes).digest('hex')
    const duplicateOf = firstByHash.get(hash)
    if (duplicateOf !== undefined) return { relPath, kind: 'duplicate', duplicateOf }
    const sniffed = sniffImage(read.bytes)
    if (sniffed.kind === 'other') return { relPath, kind: 'skipped', reason: sniffed.reason }
    const pixels = await decodeToSquare(read.bytes, sniffed.format, limits, square)
    return typeof pixels === 'string' ? { relPath, kind: 'skipped', reason: pixels } : { relPath, kind: 'pixels', hash, pixels }
  } catch (error) {
    return { relPath, kind: 'failed', error }
  }
}

function checkSize(size: number): number {
  const parsed = DatasetImageSize.safeParse(size)
  if (!parsed.success) throw new RangeError(`Image size must be a whole number of pixels from 8 to 256 (got ${size}).`)
  return parsed.data
}

/** The trimmed name, or undefined to use a default; checked before any work so a long import cannot fail at the end. */
export function checkName(name: string | undefined): string | undefined {
  const trimmed = name?.trim()
  if (!trimmed) return undefined
  if (trimmed.length > DATASET_NAME_MAX) throw new RangeError(`A dataset name can be at most ${DATASET_NAME_MAX} characters (this one has ${trimmed.length}).`)
  return trimmed
}

/** The folder to import, links resolved; or an ImportError saying it is missing, a file or unreadable. */
export async function resolveSourceFolder(source: string): Promise<string> {
  let real: string
  try {
    // The folder the user chose may itself be a link (e.g. ~/Pictures); links inside it are not followed.
    real = await fs.realpath(source)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ImportError('SOURCE_NOT_FOUND', `The folder ${source} does not exist. Choose an existing folder of images.`)
    throw new ImportError('SOURCE_UNREADABLE', `Cannot open the folder ${source} (${code ?? (error as Error).message}).`)
  }
  const stat = await fs.stat(real)
  if (!stat.isDirectory()) {
    throw new ImportError('SOURCE_NOT_A_FOLDER', `${source} is a file, not a folder. Choose the folder that holds your images.`)
  }
  return real
}

function noImagesError(root: string, files: readonly FileOutcome[], hiddenIgnored: number): ImportError {
  const reasons = new Map<string, number>()
  for (const f of files) {
    const why = f.status === 'skipped' ? f.reason : 'duplicate'
    reasons.set(why, (reasons.get(why) ?? 0) + 1)
  }
  const top = [...reasons]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([why, n]) => `${n} × ${why}`)
  const what =
    files.length === 0
      ? `it holds no files${hiddenIgnored > 0 ? ` (only ${hiddenIgnored} hidden ones, which are ignored)` : ''}`
      : `none of its ${files.length} files could be used: ${top.join('; ')}`
  return new ImportError(
    'NO_IMAGES',
    `No images were imported from ${root}: ${what}. Choose a folder with JPEG, PNG, WebP, GIF, TIFF, BMP or PGM/PPM/PBM images.`,
    { files: files.slice(0, 100) }
  )
}
