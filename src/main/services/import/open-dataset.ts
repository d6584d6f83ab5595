import * as fs from 'node:fs'
import * as path from 'node:path'
import { z } from 'zod'
import {
  DATASET_FILES,
  DATASET_FORMAT_VERSION,
  DatasetManifest,
  datasetByteLength,
  imageByteLength,
  imageOffset
} from '../../../shared/formats/dataset'
import { ImportError } from './import-error'

export interface OpenedDataset {
  readonly dir: string
  readonly manifest: DatasetManifest
  /** Images start … start+count−1, packed as in images.u8 (count × size × size × channels bytes). */
  readImages(start: number, count: number): Uint8Array
  /** Their labels, one byte each; fails if the dataset has none (check `manifest.labels`). */
  readLabels(start: number, count: number): Uint8Array
  /** Releases the open files. */
  close(): void
}

/**
 * Opens a dataset folder for reading: the manifest is validated and the packed files' lengths are checked
 * against it before anything is read, so a damaged dataset fails here, with the file named, and not in the
 * middle of training. Reads are synchronous positioned reads on files held open: a batch is a few hundred
 * KiB and the callers (engines) read in their own process.
 */
export async function openDataset(dir: string): Promise<OpenedDataset> {
  const manifestFile = path.join(dir, DATASET_FILES.manifest)
  const manifest = await readManifest(manifestFile)
  const imagesFile = path.join(dir, DATASET_FILES.images)
  const labelsFile = path.join(dir, DATASET_FILES.labels)
  const images = openChecked(imagesFile, datasetByteLength(manifest), `${manifest.count} images of ${manifest.size}×${manifest.size}×${manifest.channels}`, manifestFile)
  let labels: number | null = null
  try {
    if (manifest.labels) labels = openChecked(labelsFile, manifest.count, `${manifest.count} labels`, manifestFile)
  } catch (error) {
    fs.closeSync(images)
    throw error
  }
  let closed = false

  const checkRange = (start: number, count: number): void => {
    if (closed) throw new Error(`The dataset ${dir} was closed; open it again to read from it.`)
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > manifest.count) {
      throw new RangeError(`Cannot read images ${start}…${start + count - 1} of the dataset ${dir}: it holds images 0…${manifest.count - 1}.`)
    }
  }

  return {
    dir,
    manifest,
    readImages(start, count) {
      checkRange(start, count)
      const out = new Uint8Array(count * imageByteLength(manifest))
      readFully(images, out, imageOffset(manifest, start), imagesFile)
      return out
    },
    readLabels(start, count) {
      if (labels === null) throw new Error(`The dataset ${dir} has no labels.`)
      checkRange(start, count)
      const out = new Uint8Array(count)
      readFully(labels, out, start, labelsFile)
      return out
    },
    close() {
      if (closed) return
      closed = true
      fs.closeSync(images)
      if (labels !== null) fs.closeSync(labels)
    }
  }
}

/** Reads and validates a dataset's manifest.json, with errors that name the file and say what to do. */
export async function readManifest(manifestFile: string): Promise<DatasetManifest> {
  let text: string
  try {
    text = await fs.promises.readFile(manifestFile, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw invalid(
      code === 'ENOENT'
        ? `${manifestFile} is missing, so ${path.dirname(manifestFile)} is not a complete dataset. Import the images again.`
        : `Cannot read ${manifestFile} (${code ?? (error as Error).message}).`
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw invalid(`${manifestFile} is not valid JSON (${(error as Error).message}); the dataset is damaged. Import the images again.`)
  }
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion
  if (typeof version === 'number' && version > DATASET_FORMAT_VERSION) {
    throw invalid(
      `${manifestFile} is dataset format ${version}, made by a newer DCGAN Studio; this version reads format ${DATASET_FORMAT_VERSION}. Update the studio to open it.`
    )
  }
  const parsed = DatasetManifest.safeParse(json)
  if (!parsed.success) {
    throw invalid(`${manifestFile} is not a valid dataset manifest; the dataset is damaged. Import the images again.\n${z.prettifyError(parsed.error)}`)
  }
  return parsed.data
}

function openChecked(file: string, expectedBytes: number, what: string, manifestFile: string): number {
  let fd: number
  try {
    fd = fs.openSync(file, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw invalid(`${file} ${code === 'ENOENT' ? 'is missing' : `cannot be opened (${code})`}; the dataset is incomplete. Import the images again.`)
  }
  const actual = fs.fstatSync(fd).size
  if (actual !== expectedBytes) {
    fs.closeSync(fd)
    throw invalid(
      `${file} holds ${actual.toLocaleString('en-US')} bytes but ${manifestFile} describes ${what} ` +
        `(${expectedBytes.toLocaleString('en-US')} bytes); the dataset is incomplete or damaged. Import the images again.`
    )
  }
  return fd
}

function readFully(fd: number, out: Uint8Array, position: number, file: string): void {
  let filled = 0
  while (filled < out.length) {
    const n = fs.readSync(fd, out, filled, out.length - filled, position + filled)
    if (n === 0) throw new Error(`${file} ended early while reading; it changed after the dataset was opened.`)
    filled += n
  }
}

function invalid(message: string): ImportError {
  return new ImportError('DATASET_INVALID', message)
}
