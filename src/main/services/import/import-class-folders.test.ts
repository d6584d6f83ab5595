import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDataset } from '../../../node/dataset-files'
import { DatasetManifest } from '../../../shared/formats/dataset'
import { classFolderOf, classList } from './class-folders'
import { ImportError } from './import-error'
import { importFolder } from './import-folder'
import { makeTempDir, removeDir, solid, writeFile } from './test-support'

// Folder-per-class labels: real PNG files in class folders, imported and read back from the packed dataset.

let work: string
let source: string

/** Grey level of class k's images, so every imported image shows which folder it came from. */
const LEVEL: Record<string, number> = { 'ankle boot': 40, bag: 120, 'T-shirt': 200 }

beforeAll(async () => {
  work = await makeTempDir('class-folders-')
  source = path.join(work, 'clothes')
  const grey = (v: number) => solid(12, 12, { r: v, g: v, b: v }).png().toBuffer()
  // Written out of order, with a nested folder and names that sort differently by case: the labels follow
  // the sorted folder names, never the order the files were made in.
  await writeFile(source, 'bag/b1.png', await grey(LEVEL.bag!))
  await writeFile(source, 'bag/more/b2.png', await grey(LEVEL.bag! + 1))
  await writeFile(source, 'T-shirt/t1.png', await grey(LEVEL['T-shirt']!))
  await writeFile(source, 'T-shirt/t2.png', await grey(LEVEL['T-shirt']! + 1))
  await writeFile(source, 'ankle boot/a1.png', await grey(LEVEL['ankle boot']!))
  await writeFile(source, 'ankle boot/notes.txt', 'not an image\n')
  await writeFile(source, 'loose.png', await grey(10))
  await writeFile(source, 'empty-class/.hidden.png', await grey(11))
})

afterAll(async () => {
  await removeDir(work)
})

describe('classFolderOf and classList', () => {
  it('takes the top-level folder as the class, sorted by code unit, ignoring files at the top', () => {
    expect(classFolderOf('cat/x.png')).toBe('cat')
    expect(classFolderOf('cat/deep/x.png')).toBe('cat')
    expect(classFolderOf('x.png')).toBeNull()
    const entries = ['b/1.png', 'a/2.png', 'top.png', 'B/3.png'].map((relPath) => ({ kind: 'file' as const, relPath, absPath: relPath }))
    expect(classList([...entries, { kind: 'skip', relPath: 'z/link', reason: 'symbolic link' }])).toEqual(['B', 'a', 'b'])
  })
})

describe('importFolder with classFolders', () => {
  it('labels every image by its class folder and keeps the class names', async () => {
    const datasets = path.join(work, 'datasets')
    const { manifest, dir } = await importFolder({ source, datasetsDir: datasets, size: 8, grayscale: true, fit: 'crop', classFolders: true })
    expect(DatasetManifest.parse(manifest)).toEqual(manifest)
    expect(manifest.source).toMatchObject({ kind: 'folder', classFolders: true })
    // Sorted by code unit: 'T' (84) < 'a' (97) < 'b'; a folder holding only hidden files is no class.
    expect(manifest.labels).toEqual({ file: 'labels.u8', classes: 3, names: ['T-shirt', 'ankle boot', 'bag'] })
    expect(manifest.count).toBe(5)
    const outcomes = Object.fromEntries(manifest.files.map((f) => [f.path, f.status === 'skipped' ? f.reason : f.status]))
    expect(outcomes['loose.png']).toMatch(/not in a class folder/)
    expect(outcomes['ankle boot/notes.txt']).toMatch(/not an image/)

    const opened = await openDataset(dir)
    try {
      const labels = opened.readLabels(0, opened.manifest.count)
      const names = manifest.labels?.names ?? []
      for (const file of manifest.files) {
        if (file.status !== 'imported') continue
        const name = names[labels[file.index]!]!
        expect(file.path.startsWith(`${name}/`), `${file.path} labelled ${name}`).toBe(true)
        // The pixels at that index are the file's own (its class's grey level), so labels and images line up.
        const pixel = opened.readImages(file.index, 1)[0]!
        expect(Math.abs(pixel - LEVEL[name]!)).toBeLessThanOrEqual(2)
      }
    } finally {
      opened.close()
    }
  })

  it('refuses a folder with no class folders, and leaves the folder-only import unlabelled', async () => {
    const flat = path.join(work, 'flat')
    await writeFile(flat, 'a.png', await solid(8, 8, { r: 1, g: 2, b: 3 }).png().toBuffer())
    const datasets = path.join(work, 'datasets-flat')
    await expect(importFolder({ source: flat, datasetsDir: datasets, size: 8, fit: 'crop', classFolders: true })).rejects.toThrow(ImportError)
    await expect(importFolder({ source: flat, datasetsDir: datasets, size: 8, fit: 'crop', classFolders: true })).rejects.toThrow(/no class folders/)
    const plain = await importFolder({ source, datasetsDir: datasets, size: 8, fit: 'crop' })
    expect(plain.manifest.labels).toBeUndefined()
    expect(plain.manifest.count).toBe(6)
  })

  it('rejects a manifest that claims class folders but names no classes', () => {
    const bad = { kind: 'folder', path: '/x', classFolders: true }
    const result = DatasetManifest.safeParse({
      formatVersion: 1,
      id: 'x-000000',
      name: 'x',
      createdAt: new Date().toISOString(),
      source: bad,
      size: 8,
      channels: 1,
      count: 1,
      preprocess: { fit: 'crop', background: 'white', grayscale: true },
      thumbs: { file: 'thumbs.png', count: 1, columns: 1, cellSize: 8 },
      files: [{ path: 'a/x.png', status: 'imported', index: 0 }],
      summary: { seen: 1, imported: 1, skipped: 0, duplicate: 0, hiddenIgnored: 0 }
    })
    expect(result.success).toBe(false)
  })
})
