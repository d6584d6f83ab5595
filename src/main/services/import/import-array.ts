import {
  DATASET_FILES,
  DATASET_FORMAT_VERSION,
  DATASET_NAME_MAX,
  DatasetImageSize,
  type DatasetManifest,
  type DatasetSource
} from '../../../shared/formats/dataset'
import { ContactSheet } from './contact-sheet'
import { DatasetDraft, newDatasetId } from './dataset-draft'
import { checkName, type ImportResult } from './import-folder'
import { progressReporter, type ImportProgress } from './import-progress'
import { resizeSquare } from './square-pixels'

/**
 * Images stored as one array of equal squares (IDX, CIFAR batches, a MATLAB file, a numpy array), read in
 * order. Each format's reader checks its own header and data and turns it into this.
 */
export interface ImageArray {
  /** Images the source holds. */
  count: number
  /** Side of every image at the source. */
  side: number
  channels: 1 | 3
  labelled: boolean
  /** The class count (and names) when the format fixes them (CIFAR, SVHN); otherwise the largest label + 1. */
  classes?: { count: number; names?: string[] }
  /** The next `n` images, packed row-major with channels interleaved, and their labels (checked by the reader). */
  read(n: number): Promise<{ images: Buffer; labels: Uint8Array | null }>
  /** After every image was read: fails if the source holds more than it said. */
  expectEnd(): Promise<void>
}

export interface ArrayImportOptions {
  datasetsDir: string
  /** Square side to resize to (8..256); defaults to the source's own size. */
  size?: number
  name?: string
  /** Import only the first `limit` images (and labels), e.g. for a quick trial. */
  limit?: number
  signal?: AbortSignal
  onProgress?: (progress: ImportProgress) => void
}

export interface ArraySourceInfo {
  source: DatasetSource
  /** The name when none is given. */
  defaultName: string
  /** "The IDX images in FILE", for the message about a size that needs choosing. */
  what: string
}

/** Images per read/resize/write step: big enough to amortise the overheads, small enough to cancel promptly. */
const BATCH = 500

/** Checks the options that do not need the file, so a mistyped limit fails before anything is opened. */
export function checkArrayOptions(options: Pick<ArrayImportOptions, 'size' | 'limit' | 'name'>): void {
  if (options.size !== undefined && !DatasetImageSize.safeParse(options.size).success) {
    throw new RangeError(`Image size must be a whole number of pixels from 8 to 256 (got ${options.size}).`)
  }
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
    throw new RangeError(`The image limit must be a whole number of at least 1 (got ${options.limit}).`)
  }
  checkName(options.name)
}

/**
 * Streams an image array into a new dataset in batches, resizing when asked, with labels into labels.u8. A
 * corrupt or mismatched source fails the whole import (the reader's message names the file): unlike a folder,
 * there is no per-file skipping to fall back on. Cancelled or failed, it leaves nothing behind.
 */
export async function importImageArray(array: ImageArray, options: ArrayImportOptions, info: ArraySourceInfo): Promise<ImportResult> {
  const { signal } = options
  const report = progressReporter(options.onProgress)
  checkArrayOptions(options)
  const native = array.side
  const size = options.size ?? native
  if (!DatasetImageSize.safeParse(size).success) {
    throw new RangeError(`${info.what} are ${native}×${native}; choose a size from 8 to 256 to resize them to.`)
  }
  const total = Math.min(array.count, options.limit ?? array.count)
  const name = checkName(options.name) ?? (info.defaultName.slice(0, DATASET_NAME_MAX) || 'images')
  const id = newDatasetId(name)
  const draft = await DatasetDraft.create(options.datasetsDir, id, array.labelled)
  try {
    const { channels } = array
    const sheet = new ContactSheet(size, channels)
    const imageBytes = size * size * channels
    let maxLabel = 0
    report.images(0, total)
    for (let done = 0; done < total;) {
      signal?.throwIfAborted()
      const n = Math.min(BATCH, total - done)
      const { images, labels } = await array.read(n)
      const packed = size === native ? images : await resizeBatch(images, n, native, channels, size)
      await draft.appendImages(packed)
      for (let i = 0; i < n && !sheet.full; i++) await sheet.add(packed.subarray(i * imageBytes, (i + 1) * imageBytes))
      if (labels) {
        for (const label of labels) if (label > maxLabel) maxLabel = label
        await draft.appendLabels(labels)
      }
      done += n
      report.images(done, total)
    }
    // With a limit the rest of the source is deliberately left unread, so only a full import checks the end.
    if (total === array.count) await array.expectEnd()
    signal?.throwIfAborted()
    report.finishing(total)
    const { png, thumbs } = await sheet.toPng()
    const classes = array.classes ?? { count: maxLabel + 1 }
    const manifest: DatasetManifest = {
      formatVersion: DATASET_FORMAT_VERSION,
      id,
      name,
      createdAt: new Date().toISOString(),
      source: info.source,
      size,
      channels,
      count: total,
      preprocess: { fit: 'none', background: 'black', grayscale: channels === 1 },
      ...(array.labelled ? { labels: { file: DATASET_FILES.labels, classes: classes.count, ...(classes.names ? { names: classes.names } : {}) } } : {}),
      thumbs,
      files: [],
      summary: { seen: total, imported: total, skipped: 0, duplicate: 0, hiddenIgnored: 0 }
    }
    const dir = await draft.commit(manifest, png)
    return { manifest, dir }
  } catch (error) {
    await draft.discard()
    throw error
  }
}

async function resizeBatch(raw: Buffer, n: number, from: number, channels: 1 | 3, to: number): Promise<Buffer> {
  const inBytes = from * from * channels
  const resized = await Promise.all(Array.from({ length: n }, (_, i) => resizeSquare(raw.subarray(i * inBytes, (i + 1) * inBytes), from, channels, to)))
  return Buffer.concat(resized)
}
