import * as path from 'node:path'
import { DATASET_FILES, DATASET_FORMAT_VERSION, DATASET_NAME_MAX, DatasetImageSize, type DatasetManifest } from '../../../shared/formats/dataset'
import { ContactSheet } from './contact-sheet'
import { DatasetDraft, newDatasetId } from './dataset-draft'
import { IdxFile } from './idx-file'
import { ImportError } from './import-error'
import { checkName, type ImportResult } from './import-folder'
import { progressReporter, type ImportProgress } from './import-progress'
import { resizeSquare } from './square-pixels'

export interface ImportIdxOptions {
  /** An IDX3 image file (e.g. train-images-idx3-ubyte), gzipped or not. */
  imagesPath: string
  /** The matching IDX1 labels file; its count must equal the images'. */
  labelsPath?: string
  datasetsDir: string
  /** Square side to resize to (8..256); defaults to the file's own size (28 for MNIST-like data). */
  size?: number
  name?: string
  /** Import only the first `limit` images (and labels), e.g. for a quick trial. */
  limit?: number
  signal?: AbortSignal
  onProgress?: (progress: ImportProgress) => void
}

/** Images per read/resize/write step: big enough to amortise the overheads, small enough to cancel promptly. */
const BATCH = 500

/**
 * Imports an MNIST-style IDX file as a grayscale dataset, streaming it (gzipped or not) straight into
 * images.u8, with labels into labels.u8. A corrupt or mismatched file fails the whole import with a message
 * naming it: unlike a folder, there is no per-file skipping to fall back on.
 */
export async function importIdx(options: ImportIdxOptions): Promise<ImportResult> {
  const { signal } = options
  const imagesPath = path.resolve(options.imagesPath)
  const labelsPath = options.labelsPath === undefined ? undefined : path.resolve(options.labelsPath)
  const report = progressReporter(options.onProgress)
  const images = await IdxFile.open(imagesPath, 'images')
  let labels: IdxFile | null = null
  try {
    labels = labelsPath === undefined ? null : await IdxFile.open(labelsPath, 'labels')
    if (labels && labels.count !== images.count) {
      throw new ImportError(
        'IDX_MISMATCH',
        `The labels file ${labelsPath} has ${labels.count.toLocaleString('en-US')} labels but the images file ${imagesPath} ` +
          `has ${images.count.toLocaleString('en-US')} images. Choose the labels file that belongs to these images.`
      )
    }
    const native = images.dims[1]!
    const size = options.size ?? native
    if (!DatasetImageSize.safeParse(size).success) {
      throw new RangeError(
        options.size === undefined
          ? `The IDX images in ${imagesPath} are ${native}×${native}; choose a size from 8 to 256 to resize them to.`
          : `Image size must be a whole number of pixels from 8 to 256 (got ${size}).`
      )
    }
    if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
      throw new RangeError(`The image limit must be a whole number of at least 1 (got ${options.limit}).`)
    }
    const total = Math.min(images.count, options.limit ?? images.count)
    const name = checkName(options.name) ?? defaultName(imagesPath).slice(0, DATASET_NAME_MAX)
    const id = newDatasetId(name)
    const draft = await DatasetDraft.create(options.datasetsDir, id, labels !== null)
    try {
      const sheet = new ContactSheet(size, 1)
      let maxLabel = 0
      report.images(0, total)
      for (let done = 0; done < total; ) {
        signal?.throwIfAborted()
        const n = Math.min(BATCH, total - done)
        const raw = await images.read(n * native * native)
        const packed = size === native ? raw : await resizeBatch(raw, n, native, size)
        await draft.appendImages(packed)
        for (let i = 0; i < n && !sheet.full; i++) await sheet.add(packed.subarray(i * size * size, (i + 1) * size * size))
        if (labels) {
          const batch = await labels.read(n)
          for (const label of batch) if (label > maxLabel) maxLabel = label
          await draft.appendLabels(batch)
        }
        done += n
        report.images(done, total)
      }
      // With a limit the rest of the file is deliberately left unread, so only a full import checks the end.
      if (total === images.count) {
        await images.expectEnd()
        await labels?.expectEnd()
      }
      signal?.throwIfAborted()
      report.finishing(total)
      const { png, thumbs } = await sheet.toPng()
      const manifest: DatasetManifest = {
        formatVersion: DATASET_FORMAT_VERSION,
        id,
        name,
        createdAt: new Date().toISOString(),
        source: labelsPath === undefined ? { kind: 'idx', imagesPath } : { kind: 'idx', imagesPath, labelsPath },
        size,
        channels: 1,
        count: total,
        preprocess: { fit: 'none', background: 'black', grayscale: true },
        ...(labels ? { labels: { file: DATASET_FILES.labels, classes: maxLabel + 1 } } : {}),
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
  } finally {
    images.close()
    labels?.close()
  }
}

async function resizeBatch(raw: Buffer, n: number, from: number, to: number): Promise<Buffer> {
  const inBytes = from * from
  const resized = await Promise.all(
    Array.from({ length: n }, (_, i) => resizeSquare(raw.subarray(i * inBytes, (i + 1) * inBytes), from, 1, to))
  )
  return Buffer.concat(resized)
}

/** 'fashion-mnist/t10k-images-idx3-ubyte.gz' → 'fashion-mnist t10k'. */
function defaultName(imagesPath: string): string {
  const stem = path
    .basename(imagesPath)
    .replace(/\.gz$/i, '')
    .replace(/[-_.]?idx3[-_.]?ubyte$/i, '')
    .replace(/[-_.]?images$/i, '')
  const folder = path.basename(path.dirname(imagesPath))
  return [folder, stem].filter((part) => part !== '').join(' ') || 'IDX images'
}
