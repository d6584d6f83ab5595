import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { DATASET_FILES, type DatasetManifest } from '../../shared/formats/dataset'
import { DatasetFileError, openDataset, type OpenedDataset } from '../../node/dataset-files'
import { EpochOrder, type DataCursor } from './epoch-order'

/**
 * Reads a packed dataset (`datasets/<id>/manifest.json` + `images.u8`) as training batches: float NHWC tensors
 * scaled to [-1, 1] (the range of the generator's tanh; the paper's only pre-processing), in a seeded shuffled
 * order with a cursor a checkpoint can store.
 *
 * The files are opened and checked by `src/node/dataset-files.ts` (shared with the studio); images are read
 * from the file on demand into buffers allocated once, so neither a huge dataset nor a long run grows the
 * process's memory.
 */

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
  readonly dir: string
  readonly manifest: DatasetManifest
  private readonly order: EpochOrder
  private readonly imageBytes: number
  // Reused by every batch: the drawn indices, the raw bytes, and the bytes as floats for the upload.
  private readonly indices: Uint32Array
  private readonly bytes: Uint8Array
  private readonly floats: Float32Array
  private dataset: OpenedDataset | null

  private constructor(
    dataset: OpenedDataset,
    readonly requestedBatchSize: number,
    options: DatasetReaderOptions
  ) {
    this.dataset = dataset
    this.dir = dataset.dir
    this.manifest = dataset.manifest
    this.batchSize = Math.min(requestedBatchSize, dataset.manifest.count)
    this.order = new EpochOrder(options.seed, dataset.manifest.count, options.cursor)
    this.imageBytes = dataset.imageBytes
    this.indices = new Uint32Array(this.batchSize)
    this.bytes = new Uint8Array(this.batchSize * this.imageBytes)
    this.floats = new Float32Array(this.bytes.length)
  }

  /** Opens `dir`, checking the manifest, the length of its files and (if given) the shape the model expects. */
  static async open(dir: string, options: DatasetReaderOptions): Promise<DatasetReader> {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new Error(`The batch size must be a whole number of at least 1 (got ${options.batchSize}).`)
    }
    const dataset = await openDataset(dir)
    try {
      if (options.expect) checkShape(dir, dataset.manifest, options.expect)
    } catch (error) {
      dataset.close()
      throw error
    }
    return new DatasetReader(dataset, options.batchSize, options)
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
    const dataset = this.dataset
    if (dataset === null) throw new Error(`The dataset reader for ${this.dir} was closed; open it again to read batches.`)
    const epoch = this.order.take(this.indices)
    const { imageBytes, bytes } = this
    await Promise.all(Array.from(this.indices, (index, slot) => dataset.readImageInto(index, bytes, slot * imageBytes)))
    const { floats } = this
    for (let i = 0; i < bytes.length; i++) floats[i] = bytes[i] as number
    const { size, channels } = this.manifest
    // Scaling on the backend gives a tensor that owns its memory: some backends (cpu, tensorflow) keep a
    // reference to the array a tensor is made from, and `floats` is refilled by the next batch.
    const images = tf.tidy(() => tf.tensor4d(floats, [this.batchSize, size, size, channels]).div(127.5).sub<tf.Tensor4D>(1))
    return { images, epoch }
  }

  /** Closes the dataset's files. Synchronous so that an owner's dispose() can call it. */
  close(): void {
    this.dataset?.close()
    this.dataset = null
  }
}

function checkShape(dir: string, manifest: DatasetManifest, expect: { size: number; channels: number }): void {
  const file = path.join(dir, DATASET_FILES.manifest)
  const describe = (channels: number): string => (channels === 1 ? '1 channel (grayscale)' : `${channels} channels (colour)`)
  if (manifest.channels !== expect.channels) {
    throw new DatasetFileError(
      file,
      `The dataset "${manifest.name}" has ${describe(manifest.channels)} but the model is built for ` +
        `${describe(expect.channels)}. Set the model's channels to ${manifest.channels}, or import the images ` +
        `again ${manifest.channels === 1 ? 'in colour' : 'as grayscale'}.`
    )
  }
  if (manifest.size !== expect.size) {
    throw new DatasetFileError(
      file,
      `The dataset "${manifest.name}" holds ${manifest.size}×${manifest.size} images but the model makes ` +
        `${expect.size}×${expect.size} images. Pick the model size ${manifest.size} if it is offered, or import ` +
        `the images again at ${expect.size}×${expect.size}.`
    )
  }
}
