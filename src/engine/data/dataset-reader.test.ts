import { mkdtemp, rm, truncate } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/select'
import { DatasetFileError } from '../../node/dataset-files'
import { DatasetReader } from './dataset-reader'
import { epochPermutation } from './epoch-order'
import { writeDataset } from './test-datasets'

let root: string

beforeAll(async () => {
  await selectBackend('wasm')
  root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-data-'))
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

/** `count` 8×8 images; every byte of image i is i (so a batch tells which images it holds), except pixel 0. */
function numberedImages(count: number, channels: 1 | 3): Uint8Array {
  const bytes = 8 * 8 * channels
  const images = new Uint8Array(count * bytes)
  for (let i = 0; i < count; i++) images.fill(i, i * bytes, (i + 1) * bytes)
  return images
}

let datasets = 0
async function numberedDataset(count: number, channels: 1 | 3 = 1): Promise<string> {
  const dir = path.join(root, `numbered-${(datasets += 1)}`)
  await writeDataset(dir, { size: 8, channels, images: numberedImages(count, channels) })
  return dir
}

/** Which numbered images a batch holds, in order, checking that every pixel of each agrees. */
async function imageNumbers(images: tf.Tensor4D): Promise<number[]> {
  const [batch, size, , channels] = images.shape
  const values = await images.data()
  const numbers: number[] = []
  const per = size * size * channels
  for (let b = 0; b < batch; b++) {
    const first = values[b * per] as number
    for (let i = 1; i < per; i++) expect(values[b * per + i]).toBe(first)
    numbers.push(Math.round(((first + 1) * 255) / 2))
  }
  return numbers
}

async function readNumbers(reader: DatasetReader, batches: number): Promise<number[][]> {
  const out: number[][] = []
  for (let i = 0; i < batches; i++) {
    const { images } = await reader.nextBatch()
    out.push(await imageNumbers(images))
    images.dispose()
  }
  return out
}

describe('DatasetReader', () => {
  it('reads NHWC float batches in [-1, 1] with byte 0 at -1 and byte 255 at 1', async () => {
    const dir = path.join(root, 'ramp')
    const bytes = 8 * 8 * 3
    const images = new Uint8Array(2 * bytes)
    for (let p = 0; p < 64; p++) images.set([0, 51, 255], p * 3)
    images.fill(255, bytes)
    await writeDataset(dir, { size: 8, channels: 3, images })
    const reader = await DatasetReader.open(dir, { batchSize: 2, seed: 1 })
    const { images: batch } = await reader.nextBatch()
    expect(batch.shape).toEqual([2, 8, 8, 3])
    const values = Array.from(await batch.data())
    batch.dispose()
    reader.close()
    const ramp = [-1, 51 / 127.5 - 1, 1]
    const allOnes = values.slice(0, bytes).every((v) => v === 1)
    const [rampImage, onesImage] = allOnes ? [values.slice(bytes), values.slice(0, bytes)] : [values.slice(0, bytes), values.slice(bytes)]
    expect(onesImage.every((v) => v === 1)).toBe(true)
    for (let p = 0; p < 64; p++) {
      for (let c = 0; c < 3; c++) expect(rampImage[p * 3 + c]).toBeCloseTo(ramp[c] as number, 6)
    }
  })

  it('visits every image exactly once per epoch, in a new order each epoch, the same for the same seed', async () => {
    const dir = await numberedDataset(12)
    const reader = await DatasetReader.open(dir, { batchSize: 4, seed: 7 })
    const epochs = (await readNumbers(reader, 9)).reduce<number[][]>((acc, batch, i) => {
      const e = Math.floor(i / 3)
      acc[e] = [...(acc[e] ?? []), ...batch]
      return acc
    }, [])
    reader.close()
    for (const epoch of epochs) expect([...epoch].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i))
    expect(epochs[0]).not.toEqual(epochs[1])
    expect(epochs[1]).not.toEqual(epochs[2])
    expect(epochs[0]).toEqual(Array.from(epochPermutation(7, 0, new Uint32Array(12))))

    const again = await DatasetReader.open(dir, { batchSize: 4, seed: 7 })
    expect((await readNumbers(again, 9)).flat()).toEqual(epochs.flat())
    again.close()
    const otherSeed = await DatasetReader.open(dir, { batchSize: 4, seed: 8 })
    expect((await readNumbers(otherSeed, 3)).flat()).not.toEqual(epochs[0])
    otherSeed.close()
  })

  it('continues into the next epoch when a batch runs past the end, and reports the epoch of each batch', async () => {
    const dir = await numberedDataset(10)
    const reader = await DatasetReader.open(dir, { batchSize: 4, seed: 3 })
    const seen: number[] = []
    const epochs: number[] = []
    for (let i = 0; i < 5; i++) {
      const { images, epoch } = await reader.nextBatch()
      seen.push(...(await imageNumbers(images)))
      images.dispose()
      epochs.push(epoch)
    }
    reader.close()
    const order = (epoch: number): number[] => Array.from(epochPermutation(3, epoch, new Uint32Array(10)))
    expect(seen).toEqual([...order(0), ...order(1)])
    expect(epochs).toEqual([0, 0, 0, 1, 1])
    expect(reader.cursor).toEqual({ epoch: 2, position: 0 })
  })

  it('restores a saved cursor exactly', async () => {
    const dir = await numberedDataset(11)
    const reader = await DatasetReader.open(dir, { batchSize: 3, seed: 5 })
    await readNumbers(reader, 5)
    const cursor = reader.cursor
    const expected = await readNumbers(reader, 6)
    reader.close()
    const resumed = await DatasetReader.open(dir, { batchSize: 3, seed: 5, cursor })
    expect(resumed.cursor).toEqual(cursor)
    expect(await readNumbers(resumed, 6)).toEqual(expected)
    resumed.close()
  })

  it('trains a dataset smaller than the batch with batches of the whole dataset', async () => {
    const dir = await numberedDataset(5)
    const reader = await DatasetReader.open(dir, { batchSize: 16, seed: 1 })
    expect(reader.batchSize).toBe(5)
    expect(reader.requestedBatchSize).toBe(16)
    const [first, second] = await readNumbers(reader, 2)
    reader.close()
    expect([...(first ?? [])].sort()).toEqual([0, 1, 2, 3, 4])
    expect([...(second ?? [])].sort()).toEqual([0, 1, 2, 3, 4])
  })

  it('keeps the tensor count flat and reuses its buffers across batches', async () => {
    const dir = await numberedDataset(9, 3)
    const reader = await DatasetReader.open(dir, { batchSize: 4, seed: 2 })
    const before = tf.memory().numTensors
    for (let i = 0; i < 20; i++) (await reader.nextBatch()).images.dispose()
    expect(tf.memory().numTensors).toBe(before)
    // A batch must not change when the next one is read into the same buffers.
    const { images: first } = await reader.nextBatch()
    const snapshot = Array.from(await first.data())
    const { images: second } = await reader.nextBatch()
    expect(Array.from(await first.data())).toEqual(snapshot)
    tf.dispose([first, second])
    reader.close()
  })
})

// The messages for each kind of damage are pinned down beside the shared opener, in src/node/dataset-files.test.ts;
// here, that the reader goes through it and adds the model's shape check.
describe('DatasetReader errors name the file and say what to do', () => {
  it('when the dataset is missing or damaged, through the shared dataset opener', async () => {
    const dir = path.join(root, 'empty')
    const error = await DatasetReader.open(dir, { batchSize: 4, seed: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DatasetFileError)
    expect((error as DatasetFileError).file).toBe(path.join(dir, 'manifest.json'))
    expect((error as Error).message).toMatch(/manifest\.json does not exist.*Import the images again/)

    const truncated = await numberedDataset(4)
    await truncate(path.join(truncated, 'images.u8'), 8 * 8 * 3 + 5)
    await expect(DatasetReader.open(truncated, { batchSize: 4, seed: 1 })).rejects.toMatchObject({
      file: path.join(truncated, 'images.u8'),
      message: expect.stringMatching(/images\.u8 holds 197 bytes but manifest\.json describes 4 images of 8×8×1 \(256 bytes\): the file is truncated/)
    })
  })

  it("when the dataset's channels or size differ from the model's", async () => {
    const gray = await numberedDataset(4, 1)
    await expect(DatasetReader.open(gray, { batchSize: 4, seed: 1, expect: { size: 8, channels: 3 } })).rejects.toThrow(
      /has 1 channel \(grayscale\) but the model is built for 3 channels \(colour\)\. Set the model's channels to 1/
    )
    await expect(DatasetReader.open(gray, { batchSize: 4, seed: 1, expect: { size: 32, channels: 1 } })).rejects.toThrow(
      /holds 8×8 images but the model makes 32×32 images/
    )
  })

  it('refuses a batch after it is closed', async () => {
    const reader = await DatasetReader.open(await numberedDataset(4), { batchSize: 2, seed: 1 })
    reader.close()
    reader.close()
    await expect(reader.nextBatch()).rejects.toThrow(/was closed; open it again/)
  })
})
