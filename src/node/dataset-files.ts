import * as fs from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { z } from 'zod'
import { DATASET_FILES, DATASET_FORMAT_VERSION, DatasetManifest, datasetByteLength, imageByteLength, imageOffset } from '../shared/formats/dataset'

/**
 * Reading a packed dataset (`manifest.json` + `images.u8` [+ `labels.u8`], format in
 * `src/shared/formats/dataset.ts`), for the studio (previews) and the trainer engines (batches) alike. Opening
 * validates the manifest and checks every packed file's length against it before anything is read, so a
 * damaged dataset fails on open, with the file named, and not in the middle of training.
 */

const openFile = promisify(fs.open)
const fstat = promisify(fs.fstat)

/** A dataset file that is missing, unreadable, damaged or unsuitable; `file` is its path. */
export class DatasetFileError extends Error {
  override readonly name = 'DatasetFileError'

  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

/** Reads and validates `dir/manifest.json`, with errors that name the file and say what to do. */
export async function readDatasetManifest(dir: string): Promise<DatasetManifest> {
  const file = path.join(dir, DATASET_FILES.manifest)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new DatasetFileError(
      file,
      isMissing(error)
        ? `${file} does not exist, so ${dir} is not a complete dataset. Import the images again.`
        : `Cannot read ${file} (${codeOf(error)}). Check that the library folder is readable, or import the images again.`,
      { cause: error }
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new DatasetFileError(file, `${file} is not valid JSON (${messageOf(error)}); the dataset is damaged. Import the images again.`, {
      cause: error
    })
  }
  // Checked before the schema: a newer format fails the schema too, but the fix is to update, not re-import.
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion
  if (typeof version === 'number' && version > DATASET_FORMAT_VERSION) {
    throw new DatasetFileError(
      file,
      `${file} is dataset format ${version}, made by a newer DCGAN Studio; this version reads format ${DATASET_FORMAT_VERSION}. Update the studio to open it.`
    )
  }
  const parsed = DatasetManifest.safeParse(json)
  if (!parsed.success) {
    throw new DatasetFileError(
      file,
      `${file} is not a valid dataset manifest; the dataset is damaged. Import the images again.\n${z.prettifyError(parsed.error)}`,
      { cause: parsed.error }
    )
  }
  return parsed.data
}

/** Opens `dir` for reading: the manifest is validated and images.u8 (and labels.u8, if any) checked against it. */
export async function openDataset(dir: string): Promise<OpenedDataset> {
  const manifest = await readDatasetManifest(dir)
  const { count, size, channels } = manifest
  const images = await openChecked(dir, DATASET_FILES.images, datasetByteLength(manifest), `${count} images of ${size}×${size}×${channels}`)
  let labels: number | null = null
  try {
    if (manifest.labels) labels = await openChecked(dir, DATASET_FILES.labels, count, `${count} labels`)
  } catch (error) {
    fs.closeSync(images)
    throw error
  }
  return new OpenedDataset(dir, manifest, images, labels)
}

/**
 * An open dataset. Reads are positioned reads on files held open (the OS page cache keeps a small dataset in
 * memory anyway): synchronous ones for a preview's few hundred KiB, asynchronous ones into a caller's buffer
 * for the trainer, which reads a batch's images in parallel and must not block its process while it does.
 */
export class OpenedDataset {
  /** Bytes per image: size × size × channels. */
  readonly imageBytes: number
  private closed = false

  /** Made by `openDataset`, which checks the files first; `images` and `labels` are open descriptors. */
  constructor(
    readonly dir: string,
    readonly manifest: DatasetManifest,
    private readonly images: number,
    private readonly labels: number | null
  ) {
    this.imageBytes = imageByteLength(manifest)
  }

  /** Images start … start+count−1, packed as in images.u8 (count × size × size × channels bytes). */
  readImages(start: number, count: number): Uint8Array {
    this.checkRange(start, count)
    const out = new Uint8Array(count * this.imageBytes)
    readFullySync(this.images, out, imageOffset(this.manifest, start), this.imagesFile)
    return out
  }

  /** Their labels, one byte each; fails if the dataset has none (check `manifest.labels`). */
  readLabels(start: number, count: number): Uint8Array {
    if (this.labels === null) throw new Error(`The dataset ${this.dir} has no labels.`)
    this.checkRange(start, count)
    const out = new Uint8Array(count)
    readFullySync(this.labels, out, start, path.join(this.dir, DATASET_FILES.labels))
    return out
  }

  /** Reads image `index` into `out` at `offset` (`imageBytes` bytes), so a caller can reuse one buffer. */
  async readImageInto(index: number, out: Uint8Array, offset = 0): Promise<void> {
    this.checkRange(index, 1)
    if (!Number.isInteger(offset) || offset < 0 || offset + this.imageBytes > out.length) {
      throw new RangeError(`Cannot read an image of ${this.imageBytes} bytes into a buffer of ${out.length} bytes at ${offset}.`)
    }
    await readFully(this.images, out, offset, this.imageBytes, imageOffset(this.manifest, index), this.imagesFile)
  }

  /** Releases the open files. Synchronous so that an owner's dispose() can call it; safe to call twice. */
  close(): void {
    if (this.closed) return
    this.closed = true
    fs.closeSync(this.images)
    if (this.labels !== null) fs.closeSync(this.labels)
  }

  private get imagesFile(): string {
    return path.join(this.dir, DATASET_FILES.images)
  }

  private checkRange(start: number, count: number): void {
    if (this.closed) throw new Error(`The dataset ${this.dir} was closed; open it again to read from it.`)
    const total = this.manifest.count
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > total) {
      throw new RangeError(`Cannot read images ${start}…${start + count - 1} of the dataset ${this.dir}: it holds images 0…${total - 1}.`)
    }
  }
}

/** Opens `dir/name` and checks that it holds exactly `expectedBytes`, as the manifest says (`what`). */
async function openChecked(dir: string, name: string, expectedBytes: number, what: string): Promise<number> {
  const file = path.join(dir, name)
  let fd: number
  try {
    fd = await openFile(file, 'r')
  } catch (error) {
    throw new DatasetFileError(
      file,
      `${file} ${isMissing(error) ? 'does not exist' : `cannot be opened (${codeOf(error)})`}; the dataset is incomplete. Import the images again.`,
      { cause: error }
    )
  }
  try {
    const actual = (await fstat(fd)).size
    if (actual !== expectedBytes) {
      throw new DatasetFileError(
        file,
        `${file} holds ${bytes(actual)} but ${DATASET_FILES.manifest} describes ${what} (${bytes(expectedBytes)}): the file is ` +
          `${actual < expectedBytes ? 'truncated' : 'from a different import'}. Import the images again.`
      )
    }
  } catch (error) {
    fs.closeSync(fd)
    throw error
  }
  return fd
}

function readFullySync(fd: number, out: Uint8Array, position: number, file: string): void {
  let done = 0
  while (done < out.length) {
    let got: number
    try {
      got = fs.readSync(fd, out, done, out.length - done, position + done)
    } catch (error) {
      throw readFailed(file, error)
    }
    if (got === 0) throw endedEarly(file, position + done)
    done += got
  }
}

/** Reads exactly `length` bytes at `position`, or fails naming the file (it shrank since it was opened). */
async function readFully(fd: number, into: Uint8Array, offset: number, length: number, position: number, file: string): Promise<void> {
  let done = 0
  // A read may return fewer bytes than asked; only a read of 0 bytes means the end of the file.
  while (done < length) {
    const got = await readOnce(fd, into, offset + done, length - done, position + done, file)
    if (got === 0) throw endedEarly(file, position + done)
    done += got
  }
}

function readOnce(fd: number, into: Uint8Array, offset: number, length: number, position: number, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, into, offset, length, position, (error, bytesRead) => {
      if (error) reject(readFailed(file, error))
      else resolve(bytesRead)
    })
  })
}

function readFailed(file: string, error: unknown): DatasetFileError {
  return new DatasetFileError(file, `Reading ${file} failed (${codeOf(error)}). Import the images again if it persists.`, { cause: error })
}

function endedEarly(file: string, at: number): DatasetFileError {
  return new DatasetFileError(file, `${file} ended early at byte ${at}; it changed after the dataset was opened. Import the images again.`)
}

function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes`
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? messageOf(error)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
