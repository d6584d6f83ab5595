import { describe, expect, it } from 'vitest'
import { DatasetManifest, datasetByteLength, imageOffset, summarizeOutcomes, thumbLayout, type FileOutcome } from './dataset'

const files: FileOutcome[] = [
  { path: 'a.jpg', status: 'imported', index: 0 },
  { path: 'b/c.png', status: 'imported', index: 1 },
  { path: 'b/notes.png', status: 'skipped', reason: 'not an image (text file)' },
  { path: 'copy.jpg', status: 'duplicate', duplicateOf: 'a.jpg' }
]

const manifest = {
  formatVersion: 1,
  id: 'holiday-1a2b3c',
  name: 'Holiday',
  createdAt: '2025-01-02T03:04:05.678Z',
  source: { kind: 'folder', path: '/home/me/Holiday' },
  size: 64,
  channels: 3,
  count: 2,
  preprocess: { fit: 'crop', background: 'white', grayscale: false },
  thumbs: { file: 'thumbs.png', count: 2, columns: 2, cellSize: 64 },
  files,
  summary: { seen: 4, imported: 2, skipped: 1, duplicate: 1, hiddenIgnored: 3 }
}

describe('DatasetManifest', () => {
  it('accepts a consistent manifest', () => {
    expect(DatasetManifest.parse(manifest)).toEqual(manifest)
  })

  it('rejects counts that disagree with the files list', () => {
    const result = DatasetManifest.safeParse({ ...manifest, summary: { ...manifest.summary, skipped: 2, seen: 5 } })
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('summary.seen')
  })

  it('rejects two files claiming the same image, or an image past the end', () => {
    const twice = files.map((f) => (f.status === 'imported' ? { ...f, index: 0 } : f))
    expect(DatasetManifest.safeParse({ ...manifest, files: twice }).success).toBe(false)
    const past = files.map((f) => (f.path === 'b/c.png' ? { ...f, index: 2 } : f))
    expect(DatasetManifest.safeParse({ ...manifest, files: past }).success).toBe(false)
  })

  it('rejects file paths that could leave the source folder, and ids that are not plain folder names', () => {
    for (const bad of ['../etc/passwd', '/etc/passwd', 'a/../../b', 'a//b']) {
      const outcome = { path: bad, status: 'skipped', reason: 'x' }
      const result = DatasetManifest.safeParse({ ...manifest, files: [...files.slice(0, 2), outcome, files[3]] })
      expect(result.success, bad).toBe(false)
    }
    expect(DatasetManifest.safeParse({ ...manifest, id: '../x' }).success).toBe(false)
  })

  it('rejects sizes and channel counts the engines cannot use', () => {
    expect(DatasetManifest.safeParse({ ...manifest, size: 4 }).success).toBe(false)
    expect(DatasetManifest.safeParse({ ...manifest, size: 512 }).success).toBe(false)
    expect(DatasetManifest.safeParse({ ...manifest, channels: 4 }).success).toBe(false)
  })
})

describe('dataset helpers', () => {
  it('computes packed lengths and offsets', () => {
    expect(datasetByteLength({ count: 10, size: 32, channels: 3 })).toBe(10 * 32 * 32 * 3)
    expect(imageOffset({ size: 28, channels: 1 }, 5)).toBe(5 * 784)
  })

  it('lays out the contact sheet: at most 64 cells, 8 to a row, at most 64 px each', () => {
    expect(thumbLayout(3, 32)).toEqual({ count: 3, columns: 3, cellSize: 32, rows: 1 })
    expect(thumbLayout(1000, 128)).toEqual({ count: 64, columns: 8, cellSize: 64, rows: 8 })
    expect(thumbLayout(9, 28)).toEqual({ count: 9, columns: 8, cellSize: 28, rows: 2 })
  })

  it('summarises outcomes', () => {
    expect(summarizeOutcomes(files, 3)).toEqual(manifest.summary)
  })
})
