import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { gunzipSync } from 'node:zlib'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSystemPackage } from '../../../../tests/support/system-packages'
import { openDataset } from '../../../node/dataset-files'
import { datasetByteLength } from '../../../shared/formats/dataset'
import { importIdx } from './import-idx'
import type { ImportProgress } from './import-progress'
import { encodeIdx, idxFixture, makeTempDir, removeDir, writeFile } from './test-support'

const COUNT = 70
const SIDE = 28
const FASHION = '/usr/share/datasets/fashion-mnist'
const T10K_IMAGES = `${FASHION}/t10k-images-idx3-ubyte.gz`
const T10K_LABELS = `${FASHION}/t10k-labels-idx1-ubyte.gz`

let work: string
let fixture: ReturnType<typeof idxFixture>
let imagesGz: string
let labelsGz: string
let imagesPlain: string

beforeAll(async () => {
  work = await makeTempDir('import-idx')
  fixture = idxFixture(COUNT, SIDE)
  imagesGz = await writeFile(work, 'digits/train-images-idx3-ubyte.gz', encodeIdx(fixture.images, [COUNT, SIDE, SIDE], true))
  labelsGz = await writeFile(work, 'digits/train-labels-idx1-ubyte.gz', encodeIdx(fixture.labels, [COUNT], true))
  imagesPlain = await writeFile(work, 'digits/train-images-idx3-ubyte', encodeIdx(fixture.images, [COUNT, SIDE, SIDE]))
})

afterAll(async () => {
  await removeDir(work)
})

describe('importIdx', () => {
  it('imports gzipped IDX images and labels byte for byte at their own size', async () => {
    const events: ImportProgress[] = []
    const { manifest, dir } = await importIdx({
      imagesPath: imagesGz,
      labelsPath: labelsGz,
      datasetsDir: path.join(work, 'lib'),
      onProgress: (p) => events.push(p)
    })
    expect(manifest).toMatchObject({
      name: 'digits train',
      size: SIDE,
      channels: 1,
      count: COUNT,
      source: { kind: 'idx', imagesPath: imagesGz, labelsPath: labelsGz },
      labels: { file: 'labels.u8', classes: 10 },
      files: [],
      summary: { seen: COUNT, imported: COUNT, skipped: 0, duplicate: 0, hiddenIgnored: 0 },
      thumbs: { count: 64, columns: 8, cellSize: SIDE }
    })
    expect(await fs.readFile(path.join(dir, 'images.u8'))).toEqual(fixture.images)
    expect(await fs.readFile(path.join(dir, 'labels.u8'))).toEqual(fixture.labels)
    // And the shared reader the studio and the trainers use opens what the importer wrote.
    const dataset = await openDataset(dir)
    expect(dataset.readImages(3, 4)).toEqual(new Uint8Array(fixture.images.subarray(3 * SIDE * SIDE, 7 * SIDE * SIDE)))
    expect(dataset.readLabels(0, COUNT)).toEqual(new Uint8Array(fixture.labels))
    dataset.close()
    const sheet = await sharp(path.join(dir, 'thumbs.png')).metadata()
    expect([sheet.width, sheet.height, sheet.channels]).toEqual([8 * SIDE, 8 * SIDE, 1])
    expect(events.filter((e) => e.phase === 'importing').at(-1)).toMatchObject({ done: COUNT, total: COUNT })
    expect(events.at(-1)).toMatchObject({ phase: 'finishing', done: COUNT, total: COUNT })
  })

  it('reads uncompressed files too, and resizes 28 → 32 with sharp', async () => {
    const { manifest, dir } = await importIdx({ imagesPath: imagesPlain, datasetsDir: path.join(work, 'lib'), size: 32, name: 'Digits 32' })
    expect(manifest).toMatchObject({ name: 'Digits 32', size: 32, channels: 1, count: COUNT })
    expect(manifest.labels).toBeUndefined()
    const dataset = await openDataset(dir)
    const images = dataset.readImages(0, COUNT)
    dataset.close()
    expect(images.length).toBe(datasetByteLength(manifest))
    // Every fixture image is one flat value, which resizing must keep.
    for (const i of [0, 1, 35, COUNT - 1]) {
      const image = images.subarray(i * 32 * 32, (i + 1) * 32 * 32)
      expect(Math.max(...image) - Math.min(...image)).toBeLessThanOrEqual(1)
      expect(Math.abs(image[500]! - ((i * 3) % 256))).toBeLessThanOrEqual(1)
    }
  })

  it('imports only the first images when given a limit', async () => {
    const { manifest, dir } = await importIdx({ imagesPath: imagesGz, labelsPath: labelsGz, datasetsDir: path.join(work, 'lib'), limit: 10 })
    expect(manifest.count).toBe(10)
    expect(await fs.readFile(path.join(dir, 'labels.u8'))).toEqual(fixture.labels.subarray(0, 10))
    expect(manifest.thumbs).toMatchObject({ count: 10, columns: 8 })
  })

  describe('refuses damaged or mismatched files with a message naming the file', () => {
    const datasetsDir = (): string => path.join(work, 'bad-lib')
    const attempt = (imagesPath: string, labelsPath?: string) =>
      importIdx({ imagesPath, ...(labelsPath === undefined ? {} : { labelsPath }), datasetsDir: datasetsDir() })

    afterAll(async () => {
      // Whatever failed, no dataset and no draft folder may be left.
      expect(await fs.readdir(datasetsDir()).catch(() => [])).toEqual([])
    })

    it('a file that is not IDX', async () => {
      const file = await writeFile(work, 'bad/photo.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]))
      await expect(attempt(file)).rejects.toMatchObject({
        code: 'IDX_INVALID',
        message: `The IDX images file ${file} is not an IDX file (it starts with ff d8 ff e0, not 00 00).`
      })
    })

    it('a labels file given as the images', async () => {
      await expect(attempt(labelsGz)).rejects.toMatchObject({ message: expect.stringMatching(/has 1 dimension\(s\).*It looks like a labels file\.$/) })
    })

    it('a truncated file', async () => {
      const file = await writeFile(work, 'bad/short-idx3-ubyte.gz', encodeIdx(fixture.images.subarray(0, 69 * SIDE * SIDE + 100), [COUNT, SIDE, SIDE], true))
      await expect(attempt(file)).rejects.toMatchObject({
        code: 'IDX_INVALID',
        message: `The IDX images file ${file} is truncated: its header promises 70 images of 28×28 (54,880 bytes of data) but the data ends after 54,196 bytes.`
      })
    })

    it('a file with more data than its header says', async () => {
      const file = await writeFile(work, 'bad/long-idx3-ubyte', encodeIdx(Buffer.concat([fixture.images, Buffer.alloc(5)]), [COUNT, SIDE, SIDE]))
      await expect(attempt(file)).rejects.toMatchObject({
        message: expect.stringContaining('holds more data than the 70 images of 28×28 its header describes')
      })
    })

    it('a gzip file cut short', async () => {
      const gz = encodeIdx(fixture.images, [COUNT, SIDE, SIDE], true)
      const file = await writeFile(work, 'bad/cut-idx3-ubyte.gz', gz.subarray(0, gz.length - 200))
      await expect(attempt(file)).rejects.toMatchObject({ code: 'IDX_INVALID', message: expect.stringMatching(/cannot be read: .*download it again\.$/) })
    })

    it('non-square or float data', async () => {
      const wide = await writeFile(work, 'bad/wide-idx3-ubyte', encodeIdx(new Uint8Array(2 * 28 * 20), [2, 28, 20]))
      await expect(attempt(wide)).rejects.toMatchObject({ message: expect.stringContaining('holds 28×20 images; only square images can be imported') })
      const floats = encodeIdx(new Uint8Array(16), [1, 2, 2])
      floats[2] = 0x0d
      const floatFile = await writeFile(work, 'bad/float-idx3-ubyte', floats)
      await expect(attempt(floatFile)).rejects.toMatchObject({ message: expect.stringContaining('type 0xd; only unsigned bytes (0x08)') })
    })

    it('labels that do not match the images', async () => {
      const labels = await writeFile(work, 'bad/labels-idx1-ubyte', encodeIdx(fixture.labels.subarray(0, 69), [69]))
      await expect(attempt(imagesGz, labels)).rejects.toMatchObject({
        code: 'IDX_MISMATCH',
        message: `The labels file ${labels} has 69 labels but the images file ${imagesGz} has 70 images. Choose the labels file that belongs to these images.`
      })
    })

    it('a missing file', async () => {
      await expect(attempt(path.join(work, 'nope.gz'))).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' })
    })

    it('a folder given as the file (no raw EISDIR): names the IDX files in it', async () => {
      const folder = path.join(work, 'digits')
      await expect(attempt(folder)).rejects.toMatchObject({
        code: 'SOURCE_NOT_A_FILE',
        message: `${folder} is a folder; choose the IDX images file in it (e.g. train-images-idx3-ubyte.gz). It holds train-images-idx3-ubyte, train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz.`
      })
      await expect(attempt(imagesGz, folder)).rejects.toMatchObject({
        code: 'SOURCE_NOT_A_FILE',
        message: expect.stringContaining('is a folder; choose the IDX labels file in it')
      })
    })
  })

  it('leaves nothing behind when cancelled', async () => {
    const datasetsDir = path.join(work, 'cancel-lib')
    const controller = new AbortController()
    const big = idxFixture(1200, SIDE)
    const file = await writeFile(work, 'big/images-idx3-ubyte', encodeIdx(big.images, [1200, SIDE, SIDE]))
    const running = importIdx({
      imagesPath: file,
      datasetsDir,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done > 0) controller.abort()
      }
    })
    await expect(running).rejects.toMatchObject({ name: 'AbortError' })
    expect(await fs.readdir(datasetsDir)).toEqual([])
  })

  it('reads the first 1000 Fashion-MNIST t10k images from the Debian package', async () => {
    requireSystemPackage('dataset-fashion-mnist')
    const datasetsDir = path.join(work, 'fashion-lib')
    const native = await importIdx({ imagesPath: T10K_IMAGES, labelsPath: T10K_LABELS, datasetsDir, limit: 1000 })
    expect(native.manifest).toMatchObject({ name: 'fashion-mnist t10k', size: 28, count: 1000, labels: { classes: 10 } })
    // Compare with a plain gunzip of the same files.
    const images = gunzipSync(await fs.readFile(T10K_IMAGES))
    const labels = gunzipSync(await fs.readFile(T10K_LABELS))
    expect(await fs.readFile(path.join(native.dir, 'images.u8'))).toEqual(images.subarray(16, 16 + 1000 * 784))
    expect(await fs.readFile(path.join(native.dir, 'labels.u8'))).toEqual(labels.subarray(8, 8 + 1000))
    // The first t10k item is an ankle boot (class 9).
    expect(labels[8]).toBe(9)

    const resized = await importIdx({ imagesPath: T10K_IMAGES, labelsPath: T10K_LABELS, datasetsDir, limit: 100, size: 32 })
    const dataset = await openDataset(resized.dir)
    const first = dataset.readImages(0, 1)
    dataset.close()
    expect(first.length).toBe(32 * 32)
    // Clothes are bright on black: dark corners, a bright middle.
    expect(first[0]).toBeLessThan(10)
    expect(Math.max(...first)).toBeGreaterThan(200)
  })
})
