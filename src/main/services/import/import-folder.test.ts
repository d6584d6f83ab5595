import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDataset } from '../../../node/dataset-files'
import { DatasetManifest, datasetByteLength, type FileOutcome } from '../../../shared/formats/dataset'
import { ImportError } from './import-error'
import { importFolder, type ImportResult } from './import-folder'
import type { ImportProgress } from './import-progress'
import { encodeBmp, fingerprintTree, halves, makeTempDir, noise, removeDir, solid, writeFile } from './test-support'

const SIZE = 16
const RED = { r: 255, g: 0, b: 0 }
const isRoot = process.getuid?.() === 0
const isPosix = process.platform !== 'win32'

let work: string
let source: string
let outside: string

/** A folder with every kind of file the importer must handle, made with sharp at test time. */
async function buildSourceFolder(root: string): Promise<void> {
  const put = (rel: string, data: Uint8Array | string) => writeFile(root, rel, data)
  const redJpeg = await solid(40, 30, RED).jpeg({ quality: 95 }).toBuffer()
  await put('red.jpg', redJpeg)
  await put('photos/blue.png', await solid(20, 50, { r: 0, g: 0, b: 255 }).png().toBuffer())
  await put('photos/deep/nested/green.webp', await solid(32, 32, { r: 0, g: 255, b: 0 }).webp({ lossless: true }).toBuffer())
  // Two frames, red then blue: only the first is imported.
  const frames = Buffer.concat([Buffer.alloc(8 * 8 * 3), Buffer.alloc(8 * 8 * 3)])
  for (let i = 0; i < 64; i++) {
    frames.set([255, 0, 0], i * 3)
    frames.set([0, 0, 255], 192 + i * 3)
  }
  await put(
    'anim.gif',
    await sharp(frames, { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } })
      .gif()
      .toBuffer()
  )
  await put('scan.tif', await solid(24, 24, { r: 255, g: 255, b: 0 }).tiff().toBuffer())
  await put(
    'gray.png',
    await sharp(Buffer.alloc(20 * 20, 100), { raw: { width: 20, height: 20, channels: 1 } })
      .png()
      .toBuffer()
  )
  await put('half-transparent.png', await solid(16, 16, { r: 255, g: 0, b: 0, alpha: 0.5 }).png().toBuffer())
  await put('sixteen-bit.png', await solid(16, 16, { r: 200, g: 100, b: 50 }).toColourspace('rgb16').png().toBuffer())
  await put('cmyk.jpg', await solid(16, 16, RED).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer())
  // Stored sideways: left half black, right half white; EXIF 6 says "rotate 90° clockwise to view".
  await put('rotated.jpg', await halves(16, 16, 0, 255).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer())
  await put('painted.bmp', encodeBmp(12, 12, { bits: 24, rgb: Buffer.alloc(12 * 12 * 3, 0).fill(Buffer.from([255, 0, 255])) }))
  await put('mislabelled.jpg', await solid(16, 16, { r: 0, g: 255, b: 255 }).png().toBuffer())
  // A folder whose name looks like a file: its name is not trusted either way.
  await put('album.jpg/inside.png', await solid(10, 10, { r: 128, g: 0, b: 128 }).png().toBuffer())

  const noisy = await noise(64, 64).jpeg().toBuffer()
  await put('broken/truncated.jpg', noisy.subarray(0, Math.floor(noisy.length / 2)))
  await put('notes.png', 'These are my notes, not a picture.\n')
  await put('empty.jpg', '')
  await put('readme.txt', 'Photos from the trip.\n')
  await put('z-copies/red-again.jpg', redJpeg)
  await put('huge.png', await solid(200, 200, RED).png().toBuffer())
  await put('.DS_Store', 'Bud1')
  await put('.thumbnails/red.jpg', redJpeg)
  await fs.symlink(path.join(root, 'red.jpg'), path.join(root, 'link-to-red.jpg'))
  await fs.symlink(outside, path.join(root, 'link-outside'))
  if (isPosix) execFileSync('mkfifo', [path.join(root, 'pipe.jpg')])
  if (!isRoot) {
    await put('locked.jpg', redJpeg)
    await fs.chmod(path.join(root, 'locked.jpg'), 0o000)
  }
}

function byPath(files: readonly FileOutcome[]): Record<string, FileOutcome> {
  return Object.fromEntries(files.map((f) => [f.path, f]))
}

function pixelAt(pixels: Uint8Array, channels: number, x: number, y: number): number[] {
  const at = (y * SIZE + x) * channels
  return [...pixels.subarray(at, at + channels)]
}

function expectNear(actual: number[], expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length)
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!), `channel ${i}: ${actual.join(',')} vs ${expected.join(',')}`).toBeLessThanOrEqual(tolerance))
}

beforeAll(async () => {
  work = await makeTempDir('import-folder')
  source = path.join(work, 'My Photos')
  outside = path.join(work, 'outside')
  await writeFile(outside, 'secret.png', await solid(8, 8, RED).png().toBuffer())
  await buildSourceFolder(source)
})

afterAll(async () => {
  await removeDir(work)
})

describe('importFolder', () => {
  let result: ImportResult
  let events: ImportProgress[]
  let before: string
  let datasetsDir: string

  beforeAll(async () => {
    datasetsDir = path.join(work, 'library', 'datasets')
    events = []
    before = await fingerprintTree(source)
    result = await importFolder({
      source,
      datasetsDir,
      size: SIZE,
      fit: 'crop',
      limits: { maxPixels: 100 * 100 },
      onProgress: (p) => events.push(p)
    })
  })

  it('imports every readable image, whatever its format, and records every file it saw', () => {
    const files = byPath(result.manifest.files)
    const imported = result.manifest.files.filter((f) => f.status === 'imported').map((f) => f.path)
    expect(imported).toEqual([
      'album.jpg/inside.png',
      'anim.gif',
      'cmyk.jpg',
      'gray.png',
      'half-transparent.png',
      'mislabelled.jpg',
      'painted.bmp',
      'photos/blue.png',
      'photos/deep/nested/green.webp',
      'red.jpg',
      'rotated.jpg',
      'scan.tif',
      'sixteen-bit.png'
    ])
    expect(files['broken/truncated.jpg']).toMatchObject({
      status: 'skipped',
      reason: 'truncated or corrupt JPEG: the file ends before the image does (cut off while copying or downloading?)'
    })
    expect(files['notes.png']).toEqual({ path: 'notes.png', status: 'skipped', reason: 'not an image (text file)' })
    expect(files['readme.txt']).toMatchObject({ status: 'skipped', reason: 'not an image (text file)' })
    expect(files['empty.jpg']).toMatchObject({ status: 'skipped', reason: 'zero-byte file' })
    expect(files['huge.png']).toMatchObject({ status: 'skipped', reason: 'over the pixel limit (200×200 = 40,000 px > 10,000 px)' })
    expect(files['z-copies/red-again.jpg']).toEqual({ path: 'z-copies/red-again.jpg', status: 'duplicate', duplicateOf: 'red.jpg' })
    expect(files['link-to-red.jpg']).toMatchObject({ status: 'skipped', reason: 'symbolic link (links are not followed)' })
    expect(files['link-outside']).toMatchObject({ status: 'skipped', reason: 'symbolic link (links are not followed)' })
    if (isPosix) expect(files['pipe.jpg']).toMatchObject({ status: 'skipped', reason: 'not a regular file (named pipe)' })
    if (!isRoot) expect(files['locked.jpg']).toMatchObject({ status: 'skipped', reason: 'unreadable: permission denied' })
    // Hidden files are neither read nor listed: .DS_Store and the .thumbnails folder.
    expect(Object.keys(files).some((p) => p.startsWith('.') || p.includes('/.'))).toBe(false)
    expect(result.manifest.summary).toEqual({
      seen: result.manifest.files.length,
      imported: 13,
      skipped: result.manifest.files.length - 14,
      duplicate: 1,
      hiddenIgnored: 2
    })
  })

  it('packs N × size × size × 3 bytes and writes a manifest the schema accepts', async () => {
    const { manifest, dir } = result
    expect(manifest).toMatchObject({ formatVersion: 1, name: 'My Photos', size: SIZE, channels: 3, count: 13 })
    expect(manifest.source).toEqual({ kind: 'folder', path: await fs.realpath(source) })
    expect(path.basename(dir)).toBe(manifest.id)
    expect((await fs.stat(path.join(dir, 'images.u8'))).size).toBe(datasetByteLength(manifest))
    expect(datasetByteLength(manifest)).toBe(13 * SIZE * SIZE * 3)
    const onDisk = DatasetManifest.parse(JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')))
    expect(onDisk).toEqual(manifest)
    expect(await fs.readdir(datasetsDir)).toEqual([manifest.id])
  })

  it('writes a contact sheet of the images, 8 to a row', async () => {
    const meta = await sharp(path.join(result.dir, 'thumbs.png')).metadata()
    expect(result.manifest.thumbs).toEqual({ file: 'thumbs.png', count: 13, columns: 8, cellSize: SIZE })
    expect([meta.width, meta.height]).toEqual([8 * SIZE, 2 * SIZE])
  })

  it('produces the right pixels: colours kept, first GIF frame, alpha on white, CMYK and 16-bit to sRGB, EXIF rotation', async () => {
    const dataset = await openDataset(result.dir)
    const files = byPath(result.manifest.files)
    const image = (p: string): Uint8Array => {
      const f = files[p]
      if (f?.status !== 'imported') throw new Error(`${p} was not imported`)
      return dataset.readImages(f.index, 1)
    }
    try {
      const centre = (p: string): number[] => pixelAt(image(p), 3, SIZE / 2, SIZE / 2)
      expectNear(centre('red.jpg'), [255, 0, 0], 6)
      expectNear(centre('photos/blue.png'), [0, 0, 255], 0)
      expectNear(centre('photos/deep/nested/green.webp'), [0, 255, 0], 0)
      expectNear(centre('anim.gif'), [255, 0, 0], 0)
      expectNear(centre('scan.tif'), [255, 255, 0], 0)
      expectNear(centre('gray.png'), [100, 100, 100], 0)
      expectNear(centre('half-transparent.png'), [255, 128, 128], 2)
      expectNear(centre('sixteen-bit.png'), [200, 100, 50], 1)
      expectNear(centre('painted.bmp'), [255, 0, 255], 0)
      expectNear(centre('mislabelled.jpg'), [0, 255, 255], 0)
      // CMYK goes through a colour profile, so red comes back as a strong red rather than exactly 255,0,0.
      const cmyk = centre('cmyk.jpg')
      expect(cmyk[0]).toBeGreaterThan(200)
      expect(cmyk[1]).toBeLessThan(50)
      expect(cmyk[2]).toBeLessThan(60)
      // Rotated 90° clockwise, the stored left (black) half becomes the top half.
      const rotated = image('rotated.jpg')
      expect(pixelAt(rotated, 3, SIZE / 2, 2)[0]).toBeLessThan(30)
      expect(pixelAt(rotated, 3, SIZE / 2, SIZE - 3)[0]).toBeGreaterThan(225)
      expect(pixelAt(rotated, 3, 2, SIZE / 2 - 4)[0]).toBeLessThan(30)
      expect(pixelAt(rotated, 3, SIZE - 3, SIZE / 2 - 4)[0]).toBeLessThan(30)
    } finally {
      dataset.close()
    }
  })

  it('reports progress by files, ending at the total', () => {
    const importing = events.filter((e) => e.phase === 'importing')
    const total = result.manifest.files.length
    expect(events[0]?.phase).toBe('scanning')
    expect(importing.every((e) => e.total === total)).toBe(true)
    expect(importing.map((e) => e.done)).toEqual(Array.from({ length: total + 1 }, (_, i) => i))
    expect(importing.at(-1)?.message).toMatch(new RegExp(`^Read ${total} of ${total} files: 13 imported, \\d+ skipped, 1 duplicate$`))
    expect(events.at(-1)).toMatchObject({ phase: 'finishing', done: total, total })
  })

  it('leaves the source folder exactly as it was', async () => {
    expect(await fingerprintTree(source)).toBe(before)
  })

  it('imports the same folder in the same order every time', async () => {
    const again = await importFolder({ source, datasetsDir, size: SIZE, fit: 'crop', limits: { maxPixels: 100 * 100 } })
    expect(again.manifest.id).not.toBe(result.manifest.id)
    expect(again.manifest.files).toEqual(result.manifest.files)
    expect(await fs.readFile(path.join(again.dir, 'images.u8'))).toEqual(await fs.readFile(path.join(result.dir, 'images.u8')))
  })
})

describe('importFolder options', () => {
  it('converts to grayscale luminance on request', async () => {
    const src = path.join(work, 'grey-src')
    await writeFile(
      src,
      'a-gray.png',
      await sharp(Buffer.alloc(20 * 20, 100), { raw: { width: 20, height: 20, channels: 1 } })
        .png()
        .toBuffer()
    )
    await writeFile(src, 'b-red.png', await solid(20, 20, RED).png().toBuffer())
    await writeFile(src, 'c-white.png', await solid(20, 20, { r: 255, g: 255, b: 255 }).png().toBuffer())
    const { manifest, dir } = await importFolder({ source: src, datasetsDir: path.join(work, 'grey-lib'), size: SIZE, fit: 'crop', grayscale: true })
    expect(manifest).toMatchObject({ channels: 1, count: 3, preprocess: { grayscale: true } })
    const dataset = await openDataset(dir)
    const all = dataset.readImages(0, 3)
    dataset.close()
    expect(all.length).toBe(3 * SIZE * SIZE)
    const at = (i: number): number => all[i * SIZE * SIZE + (SIZE / 2) * SIZE + SIZE / 2]!
    expect(at(0)).toBe(100)
    // Relative luminance of sRGB red (0.2126) re-encoded with the sRGB curve: 127.
    expect(Math.abs(at(1) - 127)).toBeLessThanOrEqual(2)
    expect(at(2)).toBe(255)
  })

  it('pads to a square with white bars when fit is pad, and crops the centre when fit is crop', async () => {
    const src = path.join(work, 'wide-src')
    await writeFile(src, 'wide.png', await solid(32, 16, RED).png().toBuffer())
    const padded = await importFolder({ source: src, datasetsDir: path.join(work, 'pad-lib'), size: SIZE, fit: 'pad' })
    const cropped = await importFolder({ source: src, datasetsDir: path.join(work, 'pad-lib'), size: SIZE, fit: 'crop' })
    const read = async (dir: string): Promise<Uint8Array> => {
      const d = await openDataset(dir)
      const px = d.readImages(0, 1)
      d.close()
      return px
    }
    const pad = await read(padded.dir)
    expect(padded.manifest.preprocess).toEqual({ fit: 'pad', background: 'white', grayscale: false })
    expect(pixelAt(pad, 3, SIZE / 2, 0)).toEqual([255, 255, 255])
    expect(pixelAt(pad, 3, SIZE / 2, SIZE - 1)).toEqual([255, 255, 255])
    expect(pixelAt(pad, 3, SIZE / 2, SIZE / 2)).toEqual([255, 0, 0])
    const crop = await read(cropped.dir)
    expect(pixelAt(crop, 3, SIZE / 2, 0)).toEqual([255, 0, 0])
  })

  it('skips files over the file-size cap without reading them', async () => {
    const src = path.join(work, 'cap-src')
    await writeFile(src, 'small.png', await solid(8, 8, RED).png().toBuffer())
    await writeFile(src, 'big.png', await noise(64, 64).png().toBuffer())
    const { manifest } = await importFolder({ source: src, datasetsDir: path.join(work, 'cap-lib'), size: SIZE, fit: 'crop', limits: { maxFileBytes: 2000 } })
    expect(byPath(manifest.files)['big.png']).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^over the file-size limit \(.+ KiB > 2\.0 KiB\)$/)
    })
    expect(manifest.count).toBe(1)
  })

  it('fails with a clear error when nothing in the folder is an image, leaving nothing behind', async () => {
    const src = path.join(work, 'no-images')
    await writeFile(src, 'a.txt', 'hello\n')
    await writeFile(src, 'b.jpg', '')
    const datasetsDir = path.join(work, 'empty-lib')
    const failure = importFolder({ source: src, datasetsDir, size: SIZE, fit: 'crop' })
    await expect(failure).rejects.toBeInstanceOf(ImportError)
    await expect(failure).rejects.toMatchObject({
      code: 'NO_IMAGES',
      message: expect.stringMatching(/none of its 2 files could be used: 1 × not an image \(text file\); 1 × zero-byte file/)
    })
    expect(await fs.readdir(datasetsDir)).toEqual([])
  })

  it('fails clearly for a missing source or a file given as the source', async () => {
    const datasetsDir = path.join(work, 'missing-lib')
    await expect(importFolder({ source: path.join(work, 'nope'), datasetsDir, size: SIZE, fit: 'crop' })).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      message: expect.stringContaining('does not exist')
    })
    await expect(importFolder({ source: path.join(source, 'red.jpg'), datasetsDir, size: SIZE, fit: 'crop' })).rejects.toMatchObject({
      code: 'SOURCE_NOT_A_FOLDER'
    })
    await expect(importFolder({ source, datasetsDir, size: 7, fit: 'crop' })).rejects.toThrow(/from 8 to 256/)
  })

  it('does not read the library when the library sits inside the source folder', async () => {
    const src = path.join(work, 'home')
    await writeFile(src, 'pic.png', await solid(8, 8, RED).png().toBuffer())
    const datasetsDir = path.join(src, 'studio', 'datasets')
    const first = await importFolder({ source: src, datasetsDir, size: SIZE, fit: 'crop' })
    const second = await importFolder({ source: src, datasetsDir, size: SIZE, fit: 'crop' })
    expect(first.manifest.files.map((f) => f.path)).toEqual(['pic.png'])
    expect(second.manifest.files.map((f) => f.path)).toEqual(['pic.png'])
  })
})

describe('cancelling an import', () => {
  it('stops, rejects with AbortError and leaves no dataset folder behind', async () => {
    const datasetsDir = path.join(work, 'cancel-lib')
    const controller = new AbortController()
    const before = await fingerprintTree(source)
    let sawImporting = false
    const running = importFolder({
      source,
      datasetsDir,
      size: SIZE,
      fit: 'crop',
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'importing' && p.done >= 3) {
          sawImporting = true
          controller.abort()
        }
      }
    })
    await expect(running).rejects.toMatchObject({ name: 'AbortError' })
    expect(sawImporting).toBe(true)
    expect(await fs.readdir(datasetsDir)).toEqual([])
    expect(await fingerprintTree(source)).toBe(before)
  })

  it('does nothing when cancelled before it starts', async () => {
    const datasetsDir = path.join(work, 'cancel-early-lib')
    const signal = AbortSignal.abort()
    await expect(importFolder({ source, datasetsDir, size: SIZE, fit: 'crop', signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect(await fs.readdir(datasetsDir).catch(() => [])).toEqual([])
  })
})
