import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { FacesLabelsFile, faceAt, faceSeed } from '../../../shared/faces'
import { makeFaces } from './make-faces'

const root = await mkdtemp(path.join(tmpdir(), 'make-faces-'))
afterAll(() => rm(root, { recursive: true, force: true }))

describe('makeFaces', () => {
  it('writes N PNGs and a labels file that names each one', async () => {
    const out = path.join(root, 'set')
    const progress: number[] = []
    const made = await makeFaces({ count: 12, size: 32, seed: 9, out, onProgress: (done) => progress.push(done) })
    expect(made).toMatchObject({ out, count: 12, size: 32, seed: 9 })
    const files = (await readdir(out)).sort()
    expect(files).toEqual([...Array.from({ length: 12 }, (_, i) => `face-${String(i).padStart(6, '0')}.png`), 'labels.json'])
    expect(progress.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    const labels = FacesLabelsFile.parse(JSON.parse(await readFile(path.join(out, 'labels.json'), 'utf8')))
    expect(labels).toMatchObject({ size: 32, seed: 9, count: 12 })
    // Each PNG decodes to exactly the face its entry names.
    for (const i of [0, 11]) {
      const entry = labels.faces[i]
      const { data, info } = await sharp(path.join(out, entry?.file ?? ''))
        .raw()
        .toBuffer({ resolveWithObject: true })
      expect(info).toMatchObject({ width: 32, height: 32, channels: 3 })
      const face = faceAt(9, i, 32)
      expect(new Uint8Array(data)).toEqual(face.image)
      expect(entry?.seed).toBe(faceSeed(9, i))
      expect(entry?.labels.smiling).toBe(face.spec.smiling)
    }
  })

  it('refuses a folder that already holds files, and fills an empty one', async () => {
    const full = path.join(root, 'full')
    await mkdir(full)
    await writeFile(path.join(full, 'holiday.jpg'), 'x')
    await expect(makeFaces({ count: 2, size: 32, seed: 1, out: full })).rejects.toThrow(/already holds 1 item\(s\)/)
    expect(await readdir(full)).toEqual(['holiday.jpg'])
    const empty = path.join(root, 'empty')
    await mkdir(empty)
    await makeFaces({ count: 2, size: 32, seed: 1, out: empty })
    expect((await readdir(empty)).length).toBe(3)
  })

  it('leaves nothing behind when cancelled', async () => {
    const controller = new AbortController()
    const out = path.join(root, 'cancelled')
    const making = makeFaces({ count: 200, size: 32, seed: 1, out, signal: controller.signal, onProgress: (done) => done === 5 && controller.abort() })
    await expect(making).rejects.toMatchObject({ code: 'cancelled' })
    expect((await readdir(root)).filter((name) => name.includes('cancelled'))).toEqual([])
  })

  it('rejects counts, sizes and seeds it cannot use, saying which', async () => {
    const out = path.join(root, 'bad')
    await expect(makeFaces({ count: 0, size: 32, seed: 1, out })).rejects.toThrow(/number of faces/)
    await expect(makeFaces({ count: 1, size: 7, seed: 1, out })).rejects.toThrow(/face size/)
    await expect(makeFaces({ count: 1, size: 32, seed: -1, out })).rejects.toThrow(/seed/)
  })
})
