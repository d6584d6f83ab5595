import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPython } from '../../../../tests/support/python'
import { DatasetManifest } from '../../../shared/formats/dataset'
import { importNpy } from './import-npy'
import { makeTempDir, readBack, removeDir, writeFile } from './test-support'

/**
 * numpy image arrays as people save them (np.save, np.savez, np.savez_compressed; uint8, float in 0–1 and
 * −1–1, channels last and first, grayscale), and in expected/ the bytes each should import as.
 */
const WRITE_NPY = String.raw`
import sys, os, numpy as np
root = sys.argv[1]
rng = np.random.RandomState(3)
os.makedirs(root + '/expected')
def expect(name, a):
    open(root + '/expected/' + name, 'wb').write(np.ascontiguousarray(a).astype(np.uint8).tobytes())
rgb = rng.randint(0, 256, size=(10, 16, 16, 3)).astype(np.uint8)
labels = rng.randint(0, 4, size=10).astype(np.int64)
np.save(root + '/rgb.npy', rgb)
expect('rgb.u8', rgb)
np.save(root + '/labels.npy', labels)
expect('labels.u8', labels)
np.savez(root + '/mnist-like.npz', x_train=rgb[:, :, :, 0], y_train=labels.astype(np.uint8))
expect('gray.u8', rgb[:, :, :, 0])
unit = rng.rand(6, 3, 8, 8).astype(np.float32)
np.savez_compressed(root + '/chw.npz', images=unit, labels=np.arange(6, dtype=np.int32), names=np.array([1.5, 2.5]))
expect('chw.u8', np.clip(np.round(unit.transpose(0, 2, 3, 1) * 255), 0, 255))
tanh = (rng.rand(4, 8, 8, 1) * 2 - 1).astype('>f8')
np.save(root + '/tanh.npy', tanh)
expect('tanh.u8', np.clip(np.round((tanh.astype(np.float64) + 1) * 127.5), 0, 255))
np.save(root + '/wide.npy', np.zeros((2, 8, 12), np.uint8))
np.save(root + '/rgba.npy', np.zeros((2, 8, 8, 4), np.uint8))
np.save(root + '/fortran.npy', np.asfortranarray(np.zeros((2, 8, 8), np.uint8)))
np.save(root + '/big-values.npy', np.full((2, 8, 8), 300.0))
np.save(root + '/short-labels.npy', np.arange(3))
np.savez(root + '/two.npz', a=np.zeros((2, 8, 8), np.uint8), b=np.zeros((3, 8, 8), np.uint8))
`

let work: string
const expected = (name: string): Promise<Buffer> => fs.readFile(path.join(work, 'expected', name))
const lib = (): string => path.join(work, 'lib')

beforeAll(async () => {
  work = await makeTempDir('import-npy')
  runPython(WRITE_NPY, [work])
})

afterAll(async () => {
  await removeDir(work)
})

describe('importNpy', () => {
  it('imports a uint8 N×H×W×3 .npy with labels from a .npy of their own', async () => {
    const { manifest, dir } = await importNpy({ path: path.join(work, 'rgb.npy'), labelsPath: path.join(work, 'labels.npy'), datasetsDir: lib() })
    expect(DatasetManifest.parse(manifest)).toEqual(manifest)
    expect(manifest).toMatchObject({
      name: 'rgb',
      size: 16,
      channels: 3,
      count: 10,
      source: { kind: 'npy', layout: 'nhwc', range: 'uint8', labelsPath: path.join(work, 'labels.npy') }
    })
    const back = await readBack(dir, 10)
    expect(back.images).toEqual(await expected('rgb.u8'))
    expect(back.labels).toEqual(await expected('labels.u8'))
    expect(manifest.labels?.classes).toBe(Math.max(...(await expected('labels.u8'))) + 1)
  })

  it("finds an .npz's images and its labels by shape (np.savez, grayscale N×H×W)", async () => {
    const { manifest, dir } = await importNpy({ path: path.join(work, 'mnist-like.npz'), datasetsDir: lib() })
    expect(manifest).toMatchObject({ name: 'mnist-like', channels: 1, count: 10, source: { imagesKey: 'x_train', labelsKey: 'y_train', layout: 'nhw' } })
    const back = await readBack(dir, 10)
    expect(back.images).toEqual(await expected('gray.u8'))
    expect(back.labels).toEqual(await expected('labels.u8'))
  })

  it('reads compressed channels-first floats in 0–1, and big-endian floats in −1–1', async () => {
    const chw = await importNpy({ path: path.join(work, 'chw.npz'), datasetsDir: lib() })
    expect(chw.manifest).toMatchObject({ size: 8, channels: 3, count: 6, source: { layout: 'nchw', range: '0-1', labelsKey: 'labels' } })
    const back = await readBack(chw.dir, 6)
    expect(back.images).toEqual(await expected('chw.u8'))
    expect([...back.labels!]).toEqual([0, 1, 2, 3, 4, 5])
    const tanh = await importNpy({ path: path.join(work, 'tanh.npy'), datasetsDir: lib(), size: 16 })
    expect(tanh.manifest).toMatchObject({ size: 16, channels: 1, count: 4, source: { layout: 'nhwc', range: '-1-1' } })
    expect(tanh.manifest.labels).toBeUndefined()
    const atNative = await importNpy({ path: path.join(work, 'tanh.npy'), datasetsDir: lib() })
    expect((await readBack(atNative.dir, 4)).images).toEqual(await expected('tanh.u8'))
  })

  describe('refuses arrays that are not images, saying what they hold, and writes nothing', () => {
    const bad = (): string => path.join(work, 'bad-lib')
    afterAll(async () => {
      expect(await fs.readdir(bad()).catch(() => [])).toEqual([])
    })
    const refuse = (name: string, message: string, extra: object = {}): Promise<void> =>
      expect(importNpy({ path: path.join(work, name), datasetsDir: bad(), ...extra })).rejects.toMatchObject({ message: expect.stringContaining(message) })

    it('not square', () => refuse('wide.npy', 'holds wide.npy (2×8×12 |u1): 8×12 images; only square images are read'))
    it('four channels', () => refuse('rgba.npy', 'rgba.npy (2×8×8×4 |u1); images are N×H×W, N×H×W×C or N×C×H×W with C 1 or 3'))
    it('Fortran order', () => refuse('fortran.npy', 'in Fortran order; save it with np.save(path, np.ascontiguousarray(a)) first'))
    it('values out of every range', () =>
      refuse('big-values.npy', 'has values from 300 to 300 in big-values.npy (2×8×8 <f8); images are read from 0–255, 0–1 or −1–1'))
    it('labels for other images', () => refuse('rgb.npy', 'The labels short-labels.npy (3 <i8)', { labelsPath: path.join(work, 'short-labels.npy') }))
    it('two image arrays and no key', () => refuse('two.npz', 'holds a (2×8×8 |u1), b (3×8×8 |u1); say which array holds the images (--images-key)'))
    it('a key it does not hold', () => refuse('two.npz', 'has no array c; it holds a (2×8×8 |u1), b (3×8×8 |u1)', { imagesKey: 'c' }))

    it('a truncated file, or no numpy file at all', async () => {
      const bytes = await fs.readFile(path.join(work, 'rgb.npy'))
      await writeFile(work, 'cut.npy', bytes.subarray(0, bytes.length - 100))
      await refuse('cut.npy', 'is truncated: cut.npy (10×16×16×3 |u1) ends inside image 10')
      await writeFile(work, 'text.npy', 'not numpy at all')
      await refuse('text.npy', 'is not a numpy .npy array')
      await refuse('missing.npy', 'does not exist')
    })
  })
})
