import * as fs from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { DATASET_FILES, DatasetManifest, datasetByteLength, imageByteLength } from '../../shared/formats/dataset'
import { EpochOrder, type DataCursor } from './epoch-order'

/**
 * Reads a packed dataset (`datasets/<id>/manifest.json` + `images.u8`) as training batches: float NHWC tensors
 * scaled to [-1, 1] (the range of the generator's tanh; the paper's only pre-processing), in a seeded shuffled
 * order with a cursor a checkpoint can store.
 *
 * Images are read from the file on demand (the OS page cache keeps a small dataset in memory anyway), into
 * buffers allocated once, so neither a huge dataset nor a long run grows the process's memory.
 */

/** A dataset file that is missing, unreadable, corrupt or unsuitable; `file` is its path. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'DatasetError'
  }
}

export interface DatasetReaderOptions {
  /** Images per batch. A dataset with fewer images trains with batches of all of them. */
  batchSize: number
  /** Seeds the shuffle; the same seed gives the same order on every machine. */
  seed: number
  /** Where to continue in the shuffled stream (from a checkpoint); the start when absent. */
  cursor?: DataCursor
  /** The image shape the model needs; opening fails with an explanation when the dataset's images differ. */
  expect?: { size: number; channels: number }
}

export interface DataBatch {
  /** [batch, size, size, channels], values in [-1, 1]. The caller owns it and must dispose it. */
  images: tf.Tensor4D
  /** The epoch the batch's first image was drawn in. */
  epoch: number
}

export class DatasetReader {
  /** The batch size actually used: the one asked for, or the dataset's size when it has fewer images. */
  readonly batchSize: number
  private readonly order: EpochOrder
  private readonly imageBytes: number
  // Reused by every batch: the drawn indices, the raw bytes, and the bytes as floats for the upload.
  private readonly indices: Uint32Array
  private readonly bytes: Uint8Array
  private readonly floats: Float32Array
  private fd: number | null

  private constructor(
    readonly dir: string,
    readonly manifest: DatasetManifest,
    readonly requestedBatchSize: number,
    fd: number,
    options: DatasetReaderOptions
  ) {
    this.fd = fd
    this.batchSize = Math.min(requestedBatchSize, manifest.count)
    this.order = new EpochOrder(options.seed, manifest.count, options.cursor)
    this.imageBytes = imageByteLength(manifest)
    this.indices = new Uint32Array(this.batchSize)
    this.bytes = new Uint8Array(this.batchSize * this.imageBytes)
    this.floats = new Float32Array(this.bytes.length)
  }

  /** Opens `dir`, checking the manifest, the length of images.u8 and (if given) the shape the model expects. */
  static async open(dir: string, options: DatasetReaderOptions): Promise<DatasetReader> {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new Error(`The batch size must be a whole number of at least 1 (got ${options.batchSize}).`)
    }
    const manifest = await readDatasetManifest(dir)
    if (options.expect) checkShape(dir, manifest, options.expect)
    const imagesPath = path.join(dir, DATASET_FILES.images)
    await checkImagesLength(imagesPath, manifest)
    let fd: number
    try {
      fd = fs.openSync(imagesPath, 'r')
    } catch (error) {
      throw new DatasetError(imagesPath, `Cannot open ${imagesPath}: ${messageOf(error)}`, { cause: error })
    }
    return new DatasetReader(dir, manifest, options.batchSize, fd, options)
  }

  get count(): number {
    return this.manifest.count
  }

  /** Where the next batch starts; store it to continue the same stream later. */
  get cursor(): DataCursor {
    return this.order.cursor
  }

  seek(cursor: DataCursor): void {
    this.order.seek(cursor)
  }

  /** The next batch in the shuffled order. */
  async nextBatch(): Promise<DataBatch> {
    const fd = this.fd
    if (fd === null) throw new Error(`The dataset reader for ${this.dir} was closed; open it again to read batches.`)
    const epoch = this.order.take(this.indices)
    const { imageBytes, bytes } = this
    await Promise.all(
      Array.from(this.indices, (index, slot) => readExactly(fd, bytes, slot * imageBytes, imageBytes, index * imageBytes, this.imagesPath))
    )
    const { floats } = this
    for (let i = 0; i < bytes.length; i++) floats[i] = bytes[i] as number
    const { size, channels } = this.manifest
    // Scaling on the backend gives a tensor that owns its memory: some backends (cpu, tensorflow) keep a
    // reference to the array a tensor is made from, and `floats` is refilled by the next batch.
    const images = tf.tidy(() => tf.tensor4d(floats, [this.batchSize, size, size, channels]).div(127.5).sub(1) as tf.Tensor4D)
    return { images, epoch }
  }

  /** Closes images.u8. Synchronous so that an owner's dispose() can call it. */
  close(): void {
    if (this.fd === null) return
    fs.closeSync(this.fd)
    this.fd = null
  }

  private get imagesPath(): string {
    return path.join(this.dir, DATASET_FILES.images)
  }
}

/** Reads and validates `dir/manifest.json`, with errors that name the file and say what to do. */
export async function readDatasetManifest(dir: string): Promise<DatasetManifest> {
  const file = path.join(dir, DATASET_FILES.manifest)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const reason = isMissing(error) ? 'it does not exist' : messageOf(error)
    throw new DatasetError(file, `No dataset at ${dir}: cannot read ${file} (${reason}). Import the images again.`, { cause: error })
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new DatasetError(file, `${file} is corrupt (not valid JSON: ${messageOf(error)}). Import the images again.`, {
      cause: error
    })
  }
  const parsed = DatasetManifest.safeParse(data)
  if (!parsed.success) {
    throw new DatasetError(file, `${file} is not a valid dataset manifest: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error
    })
  }
  return parsed.data
}

function checkShape(dir: string, manifest: DatasetManifest, expect: { size: number; channels: number }): void {
  const file = path.join(dir, DATASET_FILES.manifest)
  const describe = (channels: number): string => (channels === 1 ? '1 channel (grayscale)' : `${channels} channels (colour)`)
  if (manifest.channels !== expect.channels) {
    throw new DatasetError(
      file,
      `The dataset "${manifest.name}" has ${describe(manifest.channels)} but the model is built for ` +
        `${describe(expect.channels)}. Set the model's channels to ${manifest.channels}, or import the images ` +
        `again ${manifest.channels === 1 ? 'in colour' : 'as grayscale'}.`
    )
  }
  if (manifest.size !== expect.size) {
    throw new DatasetError(
      file,
      `The dataset "${manifest.name}" holds ${manifest.size}×${manifest.size} images but the model makes ` +
        `${expect.size}×${expect.size} images. Pick the model size ${manifest.size} if it is offered, or import ` +
        `the images again at ${expect.size}×${expect.size}.`
    )
  }
}

async function checkImagesLength(file: string, manifest: DatasetManifest): Promise<void> {
  let actual: number
  try {
    actual = (await stat(file)).size
  } catch (error) {
    const reason = isMissing(error) ? 'it does not exist' : messageOf(error)
    throw new DatasetError(file, `Cannot read the dataset's images at ${file}: ${reason}. Import the images again.`, {
      cause: error
    })
  }
  const expected = datasetByteLength(manifest)
  if (actual !== expected) {
    const { count, size, channels } = manifest
    throw new DatasetError(
      file,
      `${file} holds ${actual} bytes but manifest.json describes ${count} images of ${size}×${size}×${channels} ` +
        `(${expected} bytes): the file is ${actual < expected ? 'truncated' : 'from a different import'}. ` +
        'Import the images again.'
    )
  }
}

/** Reads exactly `length` bytes at `position`, or fails naming the file (it shrank since it was opened). */
async function readExactly(fd: number, into: Uint8Array, offset: number, length: number, position: number, file: string): Promise<void> {
  let done = 0
  // A read may return fewer bytes than asked; only a read of 0 bytes means the end of the file.
  while (done < length) {
    const got = await readOnce(fd, into, offset + done, length - done, position + done, file)
    if (got === 0) {
      throw new DatasetError(file, `${file} ended early at byte ${position + done}; it changed while training. Import the images again.`)
    }
    done += got
  }
}

function readOnce(fd: number, into: Uint8Array, offset: number, length: number, position: number, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, into, offset, length, position, (error, bytesRead) => {
      if (error) reject(new DatasetError(file, `Reading ${file} failed: ${error.message}`, { cause: error }))
      else resolve(bytesRead)
    })
  })
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
