import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { importIdx } from './import-idx'
import { openDataset } from './open-dataset'
import { encodeIdx, idxFixture, makeTempDir, removeDir, writeFile } from './test-support'

const COUNT = 12
const SIDE = 8

let work: string
let pristine: string
let dir: string
const fixture = idxFixture(COUNT, SIDE)

beforeAll(async () => {
  work = await makeTempDir('open-dataset')
  const images = await writeFile(work, 'src/images-idx3-ubyte', encodeIdx(fixture.images, [COUNT, SIDE, SIDE]))
  const labels = await writeFile(work, 'src/labels-idx1-ubyte', encodeIdx(fixture.labels, [COUNT]))
  pristine = (await importIdx({ imagesPath: images, labelsPath: labels, datasetsDir: path.join(work, 'datasets') })).dir
})

beforeEach(async () => {
  // Each test damages its own copy.
  dir = path.join(work, `copy-${Math.random().toString(16).slice(2)}`)
  await fs.cp(pristine, dir, { recursive: true })
})

afterAll(async () => {
  await removeDir(work)
})

describe('openDataset', () => {
  it('reads batches of images and labels by position', async () => {
    const dataset = await openDataset(dir)
    try {
      expect(dataset.manifest.count).toBe(COUNT)
      expect(dataset.readImages(3, 4)).toEqual(new Uint8Array(fixture.images.subarray(3 * 64, 7 * 64)))
      expect(dataset.readLabels(10, 2)).toEqual(Uint8Array.from([0, 1]))
      expect(dataset.readImages(COUNT, 0)).toEqual(new Uint8Array(0))
      expect(() => dataset.readImages(10, 3)).toThrow(/Cannot read images 10…12 of the dataset .*: it holds images 0…11\./)
      expect(() => dataset.readImages(-1, 1)).toThrow(RangeError)
    } finally {
      dataset.close()
    }
    expect(() => dataset.readImages(0, 1)).toThrow(/was closed/)
  })

  it('names the manifest when it is not JSON', async () => {
    await fs.writeFile(path.join(dir, 'manifest.json'), '{"formatVersion": 1,')
    await expect(openDataset(dir)).rejects.toMatchObject({
      code: 'DATASET_INVALID',
      message: expect.stringMatching(new RegExp(`^${escape(path.join(dir, 'manifest.json'))} is not valid JSON .*Import the images again\\.$`))
    })
  })

  it('names the manifest and the bad field when it does not match the schema', async () => {
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'))
    manifest.channels = 2
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest))
    await expect(openDataset(dir)).rejects.toMatchObject({
      message: expect.stringMatching(new RegExp(`^${escape(path.join(dir, 'manifest.json'))} is not a valid dataset manifest[^]*channels`))
    })
  })

  it('says when a dataset comes from a newer studio', async () => {
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'))
    manifest.formatVersion = 2
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest))
    await expect(openDataset(dir)).rejects.toMatchObject({ message: expect.stringContaining('dataset format 2, made by a newer DCGAN Studio') })
  })

  it('refuses images.u8 or labels.u8 of the wrong length', async () => {
    await fs.truncate(path.join(dir, 'images.u8'), COUNT * SIDE * SIDE - 1)
    await expect(openDataset(dir)).rejects.toMatchObject({
      message: `${path.join(dir, 'images.u8')} holds 767 bytes but ${path.join(dir, 'manifest.json')} describes 12 images of 8×8×1 (768 bytes); the dataset is incomplete or damaged. Import the images again.`
    })
    await fs.copyFile(path.join(pristine, 'images.u8'), path.join(dir, 'images.u8'))
    await fs.appendFile(path.join(dir, 'labels.u8'), Buffer.from([1]))
    await expect(openDataset(dir)).rejects.toMatchObject({ message: expect.stringContaining('holds 13 bytes but') })
  })

  it('says a folder without a manifest is not a complete dataset', async () => {
    await fs.rm(path.join(dir, 'manifest.json'))
    await expect(openDataset(dir)).rejects.toMatchObject({ message: expect.stringContaining('is missing, so') })
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
