import { appendFile, chmod, cp, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DatasetFileError, openDataset, readDatasetManifest } from './dataset-files'
import { writeDataset } from './test-datasets'

const COUNT = 12
const SIDE = 8
const IMAGE = SIDE * SIDE

/** Every byte of image i is i, so a read tells which images it got; label i is i % 10. */
const images = new Uint8Array(COUNT * IMAGE).map((_, byte) => Math.floor(byte / IMAGE))
const labels = Uint8Array.from({ length: COUNT }, (_, i) => i % 10)

let work: string
let pristine: string
let dir: string
let manifestFile: string

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'dcgan-dataset-files-'))
  pristine = path.join(work, 'pristine')
  await writeDataset(pristine, { size: SIDE, channels: 1, images, labels })
})

beforeEach(async () => {
  // Each test damages its own copy.
  dir = path.join(work, `copy-${Math.random().toString(16).slice(2)}`)
  manifestFile = path.join(dir, 'manifest.json')
  await cp(pristine, dir, { recursive: true })
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

async function editManifest(edit: (manifest: Record<string, unknown>) => void): Promise<void> {
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>
  edit(manifest)
  await writeFile(manifestFile, JSON.stringify(manifest))
}

async function failure(promise: Promise<unknown>): Promise<DatasetFileError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(DatasetFileError)
  return error as DatasetFileError
}

describe('openDataset', () => {
  it('reads runs of images and labels by position', async () => {
    const dataset = await openDataset(dir)
    try {
      expect(dataset.manifest.count).toBe(COUNT)
      expect(dataset.imageBytes).toBe(IMAGE)
      expect(dataset.readImages(3, 4)).toEqual(images.subarray(3 * IMAGE, 7 * IMAGE))
      expect(dataset.readLabels(10, 2)).toEqual(Uint8Array.from([0, 1]))
      expect(dataset.readImages(COUNT, 0)).toEqual(new Uint8Array(0))
      expect(() => dataset.readImages(10, 3)).toThrow(/Cannot read images 10…12 of the dataset .*: it holds images 0…11\./)
      expect(() => dataset.readImages(-1, 1)).toThrow(RangeError)
    } finally {
      dataset.close()
    }
    expect(() => dataset.readImages(0, 1)).toThrow(/was closed/)
    dataset.close()
  })

  it('reads single images into a caller’s buffer at an offset, leaving the rest of it alone', async () => {
    const dataset = await openDataset(dir)
    const buffer = new Uint8Array(3 * IMAGE).fill(255)
    await Promise.all([dataset.readImageInto(7, buffer, 0), dataset.readImageInto(2, buffer, 2 * IMAGE)])
    expect(buffer.subarray(0, IMAGE).every((v) => v === 7)).toBe(true)
    expect(buffer.subarray(IMAGE, 2 * IMAGE).every((v) => v === 255)).toBe(true)
    expect(buffer.subarray(2 * IMAGE).every((v) => v === 2)).toBe(true)
    await expect(dataset.readImageInto(COUNT, buffer)).rejects.toThrow(RangeError)
    await expect(dataset.readImageInto(0, buffer, 2 * IMAGE + 1)).rejects.toThrow(/into a buffer of 192 bytes at 129/)
    dataset.close()
    await expect(dataset.readImageInto(0, buffer)).rejects.toThrow(/was closed/)
  })

  it('says a dataset without labels has none', async () => {
    const unlabelled = path.join(work, 'unlabelled')
    await writeDataset(unlabelled, { size: SIDE, channels: 1, images })
    const dataset = await openDataset(unlabelled)
    expect(() => dataset.readLabels(0, 1)).toThrow(`The dataset ${unlabelled} has no labels.`)
    dataset.close()
  })

  it('names images.u8 when it changed after the dataset was opened', async () => {
    const dataset = await openDataset(dir)
    await truncate(path.join(dir, 'images.u8'), 5 * IMAGE)
    const error = await failure(dataset.readImageInto(6, new Uint8Array(IMAGE)))
    expect(error.file).toBe(path.join(dir, 'images.u8'))
    expect(error.message).toBe(`${path.join(dir, 'images.u8')} ended early at byte 384; it changed after the dataset was opened. Import the images again.`)
    expect(() => dataset.readImages(4, 2)).toThrow(/ended early at byte 320/)
    dataset.close()
  })
})

describe('dataset errors name the file and say what to do', () => {
  it('when manifest.json is missing', async () => {
    await rm(manifestFile)
    const error = await failure(openDataset(dir))
    expect(error.file).toBe(manifestFile)
    expect(error.message).toBe(`${manifestFile} does not exist, so ${dir} is not a complete dataset. Import the images again.`)
  })

  it('when manifest.json cannot be read', async () => {
    // A folder in the manifest's place fails the read with EISDIR, on every OS and as any user.
    await rm(manifestFile)
    await mkdir(manifestFile)
    const error = await failure(readDatasetManifest(dir))
    expect(error.message).toBe(`Cannot read ${manifestFile} (EISDIR). Check that the library folder is readable, or import the images again.`)
  })

  it('when manifest.json is not JSON', async () => {
    await writeFile(manifestFile, '{"formatVersion": 1,')
    const error = await failure(openDataset(dir))
    expect(error.file).toBe(manifestFile)
    expect(error.message).toMatch(new RegExp(`^${escape(manifestFile)} is not valid JSON \\(.*\\); the dataset is damaged\\. Import the images again\\.$`))
  })

  it('when manifest.json does not match the schema, naming the bad field', async () => {
    await editManifest((manifest) => {
      manifest.channels = 2
    })
    const error = await failure(readDatasetManifest(dir))
    expect(error.message).toMatch(
      new RegExp(`^${escape(manifestFile)} is not a valid dataset manifest; the dataset is damaged\\. Import the images again\\.\\n[^]*channels`)
    )
  })

  it('when the dataset comes from a newer studio', async () => {
    await editManifest((manifest) => {
      manifest.formatVersion = 2
    })
    const error = await failure(openDataset(dir))
    expect(error.message).toBe(`${manifestFile} is dataset format 2, made by a newer DCGAN Studio; this version reads format 1. Update the studio to open it.`)
  })

  it('when images.u8 is shorter or longer than the manifest says', async () => {
    const imagesFile = path.join(dir, 'images.u8')
    await truncate(imagesFile, COUNT * IMAGE - 1)
    let error = await failure(openDataset(dir))
    expect(error.file).toBe(imagesFile)
    expect(error.message).toBe(
      `${imagesFile} holds 767 bytes but manifest.json describes 12 images of 8×8×1 (768 bytes): the file is truncated. Import the images again.`
    )
    await writeFile(imagesFile, new Uint8Array(COUNT * IMAGE + 1000))
    error = await failure(openDataset(dir))
    expect(error.message).toContain('holds 1,768 bytes but manifest.json describes 12 images of 8×8×1 (768 bytes): the file is from a different import.')
  })

  it('when labels.u8 is missing or has the wrong length', async () => {
    const labelsFile = path.join(dir, 'labels.u8')
    await appendFile(labelsFile, Buffer.from([1]))
    let error = await failure(openDataset(dir))
    expect(error.file).toBe(labelsFile)
    expect(error.message).toContain('holds 13 bytes but manifest.json describes 12 labels (12 bytes)')
    await rm(labelsFile)
    error = await failure(openDataset(dir))
    expect(error.message).toBe(`${labelsFile} does not exist; the dataset is incomplete. Import the images again.`)
  })

  it('when images.u8 is missing or cannot be opened', async () => {
    const imagesFile = path.join(dir, 'images.u8')
    if (process.platform !== 'win32' && process.getuid?.() !== 0) {
      await chmod(imagesFile, 0o200)
      expect((await failure(openDataset(dir))).message).toBe(`${imagesFile} cannot be opened (EACCES); the dataset is incomplete. Import the images again.`)
    }
    await rm(imagesFile)
    const error = await failure(openDataset(dir))
    expect(error.file).toBe(imagesFile)
    expect(error.message).toBe(`${imagesFile} does not exist; the dataset is incomplete. Import the images again.`)
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
