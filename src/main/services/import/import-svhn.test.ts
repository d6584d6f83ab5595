import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPython } from '../../../../tests/support/python'
import { DatasetManifest } from '../../../shared/formats/dataset'
import { importSvhn } from './import-svhn'
import { makeTempDir, readBack, removeDir, writeFile } from './test-support'

/**
 * SVHN-style MAT-files written by scipy.io.savemat as the cropped-digit files are laid out (X: 32×32×3×N
 * uint8, y: N×1, 10 for the digit 0), plain and compressed, and in expected/ the images as height × width ×
 * RGB with the labels 0–9.
 */
const WRITE_SVHN = String.raw`
import sys, os, numpy as np, scipy.io
root = sys.argv[1]
rng = np.random.RandomState(7)
os.makedirs(root + '/expected')
def digits(name, n, compress, ydtype, extra={}):
    X = rng.randint(0, 256, size=(32, 32, 3, n)).astype(np.uint8)
    y = rng.randint(1, 11, size=(n, 1)).astype(ydtype)
    y[0, 0] = 10
    scipy.io.savemat(root + '/' + name + '.mat', dict(X=X, y=y, **extra), do_compression=compress)
    open(root + '/expected/' + name + '-images.u8', 'wb').write(np.ascontiguousarray(X.transpose(3, 0, 1, 2)).tobytes())
    open(root + '/expected/' + name + '-labels.u8', 'wb').write((y[:, 0] % 10).astype(np.uint8).tobytes())
digits('train_32x32', 12, False, np.uint8)
digits('test_32x32', 9, True, np.float64, dict(note='written by scipy', w=np.zeros((2, 3))))
scipy.io.savemat(root + '/floats.mat', dict(X=np.zeros((32, 32, 3, 2), np.float32), y=np.ones((2, 1))))
scipy.io.savemat(root + '/no-y.mat', dict(X=np.zeros((32, 32, 3, 2), np.uint8)))
scipy.io.savemat(root + '/short-y.mat', dict(X=np.zeros((32, 32, 3, 3), np.uint8), y=np.ones((2, 1))))
scipy.io.savemat(root + '/zero-label.mat', dict(X=np.zeros((32, 32, 3, 2), np.uint8), y=np.array([[3], [0]])))
`

let work: string
const expected = (name: string): Promise<Buffer> => fs.readFile(path.join(work, 'expected', name))

beforeAll(async () => {
  work = await makeTempDir('import-svhn')
  runPython(WRITE_SVHN, [work], ['numpy', 'scipy'])
})

afterAll(async () => {
  await removeDir(work)
})

describe('importSvhn', () => {
  it('imports X and y as scipy writes them, the digit 10 as label 0, with the digits as class names', async () => {
    const { manifest, dir } = await importSvhn({ path: path.join(work, 'train_32x32.mat'), datasetsDir: path.join(work, 'lib') })
    expect(DatasetManifest.parse(manifest)).toEqual(manifest)
    expect(manifest).toMatchObject({
      name: 'SVHN train',
      size: 32,
      channels: 3,
      count: 12,
      source: { kind: 'svhn', path: path.join(work, 'train_32x32.mat') },
      labels: { classes: 10, names: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] }
    })
    const back = await readBack(dir, 12)
    expect(back.images).toEqual(await expected('train_32x32-images.u8'))
    expect(back.labels).toEqual(await expected('train_32x32-labels.u8'))
    expect(back.labels?.[0]).toBe(0)
  })

  it('reads compressed files with double labels and other variables beside X and y, and resizes when asked', async () => {
    const file = path.join(work, 'test_32x32.mat')
    const full = await importSvhn({ path: file, datasetsDir: path.join(work, 'lib') })
    const back = await readBack(full.dir, 9)
    expect(back.images).toEqual(await expected('test_32x32-images.u8'))
    expect(back.labels).toEqual(await expected('test_32x32-labels.u8'))
    const small = await importSvhn({ path: file, datasetsDir: path.join(work, 'lib'), size: 16, limit: 4, name: 'four digits' })
    expect(small.manifest).toMatchObject({ name: 'four digits', size: 16, count: 4 })
    expect((await readBack(small.dir, 4)).labels).toEqual((await expected('test_32x32-labels.u8')).subarray(0, 4))
  })

  describe('refuses files that are not SVHN digits, saying what they hold, and writes nothing', () => {
    const datasetsDir = (): string => path.join(work, 'bad-lib')
    afterAll(async () => {
      expect(await fs.readdir(datasetsDir()).catch(() => [])).toEqual([])
    })
    const refuse = (name: string, message: unknown): Promise<void> =>
      expect(importSvhn({ path: path.join(work, name), datasetsDir: datasetsDir() })).rejects.toMatchObject({ message })

    it('images stored as floats', () =>
      refuse('floats.mat', expect.stringContaining('holds X as 32×32×3×2 single; SVHN cropped digits hold X (32×32×3×N uint8)')))
    it('no labels', () => refuse('no-y.mat', expect.stringContaining('holds X (32×32×3×2 uint8); SVHN cropped digits hold X')))
    it('labels for other images', () => refuse('short-y.mat', expect.stringContaining('holds 3 images in X but y is 2×1 double')))
    it('a label that is not a digit 1–10', () => refuse('zero-label.mat', expect.stringContaining('has the label 0 for image 2 in y')))

    it('a truncated file', async () => {
      const bytes = await fs.readFile(path.join(work, 'train_32x32.mat'))
      await writeFile(work, 'cut.mat', bytes.subarray(0, bytes.length - 500))
      await refuse('cut.mat', expect.stringContaining('is truncated'))
      const packed = await fs.readFile(path.join(work, 'test_32x32.mat'))
      await writeFile(work, 'cut-packed.mat', packed.subarray(0, 128 + 8 + 200))
      await refuse('cut-packed.mat', expect.stringContaining('is truncated'))
    })

    it('a MATLAB 7.3 (HDF5) file, or no MAT-file at all', async () => {
      await writeFile(
        work,
        'v73.mat',
        Buffer.concat([Buffer.from('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .'.padEnd(128, ' '))])
      )
      await refuse(
        'v73.mat',
        expect.stringContaining("is a MATLAB 7.3 (HDF5) file, which is not read; save it again with MATLAB's save -v7 or with scipy.io.savemat")
      )
      await writeFile(work, 'text.mat', 'hello')
      await refuse('text.mat', expect.stringContaining('is not a MATLAB 5 MAT-file'))
      await refuse('nope.mat', expect.stringContaining('does not exist'))
    })
  })
})
