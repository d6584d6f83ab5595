import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPython } from '../../../../tests/support/python'
import { DatasetManifest } from '../../../shared/formats/dataset'
import { importCifar } from './import-cifar'
import { makeTempDir, readBack, removeDir, writeFile } from './test-support'

/**
 * CIFAR batches written with numpy as the binary archives lay them out (label byte(s), then the red, green
 * and blue planes), and beside them, in expected/, the same images as height × width × RGB and the labels.
 */
const WRITE_CIFAR = String.raw`
import sys, os, numpy as np
root = sys.argv[1]
rng = np.random.RandomState(5)
os.makedirs(root + '/expected')
def batch(path, n, label_columns, name):
    images = rng.randint(0, 256, size=(n, 3, 32, 32)).astype(np.uint8)
    labels = np.stack([rng.randint(0, k, size=n) for k in label_columns], axis=1).astype(np.uint8)
    open(path, 'wb').write(np.concatenate([labels, images.reshape(n, -1)], axis=1).tobytes())
    for i, k in enumerate(label_columns):
        open(root + '/expected/%s-labels%d.u8' % (name, i), 'wb').write(labels[:, i].tobytes())
    open(root + '/expected/%s-images.u8' % name, 'wb').write(images.transpose(0, 2, 3, 1).tobytes())
ten = root + '/cifar-10-batches-bin'
os.makedirs(ten)
batch(ten + '/data_batch_1.bin', 30, [10], 'b1')
batch(ten + '/data_batch_2.bin', 25, [10], 'b2')
batch(ten + '/test_batch.bin', 20, [10], 'test')
names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
open(ten + '/batches.meta.txt', 'w').write('\n'.join(names) + '\n\n')
hundred = root + '/cifar-100-binary'
os.makedirs(hundred)
batch(hundred + '/train.bin', 40, [20, 100], 'c100')
open(hundred + '/fine_label_names.txt', 'w').write('\n'.join('fine%d' % i for i in range(100)) + '\n')
open(hundred + '/coarse_label_names.txt', 'w').write('\n'.join('coarse%d' % i for i in range(20)) + '\n')
`

let work: string
const ten = (): string => path.join(work, 'cifar-10-batches-bin')
const expected = (name: string): Promise<Buffer> => fs.readFile(path.join(work, 'expected', name))

beforeAll(async () => {
  work = await makeTempDir('import-cifar')
  runPython(WRITE_CIFAR, [work])
})

afterAll(async () => {
  await removeDir(work)
})

describe('importCifar', () => {
  it("imports a folder's CIFAR-10 training batches in order, with the class names from batches.meta.txt", async () => {
    const { manifest, dir } = await importCifar({ paths: [ten()], datasetsDir: path.join(work, 'lib') })
    expect(DatasetManifest.parse(manifest)).toEqual(manifest)
    expect(manifest).toMatchObject({
      name: 'CIFAR-10 data_batch_1-2',
      size: 32,
      channels: 3,
      count: 55,
      source: { kind: 'cifar', paths: [path.join(ten(), 'data_batch_1.bin'), path.join(ten(), 'data_batch_2.bin')], variant: 'cifar10', labels: 'fine' },
      labels: { classes: 10, names: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] }
    })
    const back = await readBack(dir, 55)
    expect(back.images).toEqual(Buffer.concat([await expected('b1-images.u8'), await expected('b2-images.u8')]))
    expect(back.labels).toEqual(Buffer.concat([await expected('b1-labels0.u8'), await expected('b2-labels0.u8')]))
  })

  it("takes the folder's test batch, or the files given, and resizes when asked", async () => {
    const test = await importCifar({ paths: [ten()], split: 'test', datasetsDir: path.join(work, 'lib') })
    expect(test.manifest).toMatchObject({ name: 'CIFAR-10 test_batch', count: 20 })
    expect((await readBack(test.dir, 20)).labels).toEqual(await expected('test-labels0.u8'))
    const files = await importCifar({
      paths: [path.join(ten(), 'test_batch.bin'), path.join(ten(), 'data_batch_2.bin')],
      datasetsDir: path.join(work, 'lib'),
      size: 16,
      limit: 30
    })
    expect(files.manifest).toMatchObject({ name: 'CIFAR-10 test_batch + data_batch_2', count: 30, size: 16 })
    expect((await readBack(files.dir, 30)).labels).toEqual(
      Buffer.concat([await expected('test-labels0.u8'), (await expected('b2-labels0.u8')).subarray(0, 10)])
    )
  })

  it('imports CIFAR-100 with its fine labels by default, or the coarse ones, each with their names', async () => {
    const folder = path.join(work, 'cifar-100-binary')
    const fine = await importCifar({ paths: [folder], datasetsDir: path.join(work, 'lib') })
    expect(fine.manifest).toMatchObject({
      name: 'CIFAR-100 train (fine)',
      count: 40,
      source: { variant: 'cifar100', labels: 'fine' },
      labels: { classes: 100 }
    })
    expect(fine.manifest.labels?.names?.slice(0, 2)).toEqual(['fine0', 'fine1'])
    const back = await readBack(fine.dir, 40)
    expect(back.images).toEqual(await expected('c100-images.u8'))
    expect(back.labels).toEqual(await expected('c100-labels1.u8'))
    const coarse = await importCifar({ paths: [path.join(folder, 'train.bin')], labels: 'coarse', datasetsDir: path.join(work, 'lib') })
    expect(coarse.manifest).toMatchObject({ name: 'CIFAR-100 train (coarse)', labels: { classes: 20 } })
    expect(coarse.manifest.labels?.names?.at(-1)).toBe('coarse19')
    expect((await readBack(coarse.dir, 40)).labels).toEqual(await expected('c100-labels0.u8'))
  })

  it('tells CIFAR-10 from CIFAR-100 by record size when the files were renamed, or asks', async () => {
    const renamed = await writeFile(work, 'renamed/part-a', await fs.readFile(path.join(ten(), 'test_batch.bin')))
    const { manifest } = await importCifar({ paths: [renamed], datasetsDir: path.join(work, 'lib') })
    expect(manifest.source).toMatchObject({ variant: 'cifar10' })
    // 3,074 records of 3,073 bytes are also 3,073 records of 3,074 bytes.
    const both = await writeFile(work, 'renamed/both', Buffer.alloc(3073 * 3074))
    await expect(importCifar({ paths: [both], datasetsDir: path.join(work, 'bad-lib') })).rejects.toMatchObject({
      code: 'FILE_INVALID',
      message: expect.stringContaining('say which (--cifar-variant)')
    })
  })

  describe('refuses damaged or wrong files with a message naming them, and writes nothing', () => {
    const datasetsDir = (): string => path.join(work, 'bad-lib')
    afterAll(async () => {
      expect(await fs.readdir(datasetsDir()).catch(() => [])).toEqual([])
    })

    it('a truncated batch', async () => {
      const full = await fs.readFile(path.join(ten(), 'data_batch_1.bin'))
      const cut = await writeFile(work, 'cut/data_batch_1.bin', full.subarray(0, full.length - 1000))
      await expect(importCifar({ paths: [cut], datasetsDir: datasetsDir() })).rejects.toMatchObject({
        code: 'FILE_INVALID',
        message: `${cut} is 91,190 bytes, not a whole number of 3,073-byte CIFAR-10 records (truncated, or not a CIFAR-10 batch).`
      })
    })

    it('labels out of range: not a CIFAR batch', async () => {
      const bytes = Buffer.from(await fs.readFile(path.join(ten(), 'data_batch_1.bin')))
      bytes[3 * 3073] = 12
      const file = await writeFile(work, 'odd/data_batch_1.bin', bytes)
      await expect(importCifar({ paths: [file], datasetsDir: datasetsDir() })).rejects.toMatchObject({
        message: `${file} has label 12 in record 3; CIFAR-10 labels are 0–9, so it is not a CIFAR-10 batch.`
      })
    })

    it('the archive itself, or a folder without batches', async () => {
      const archive = await writeFile(work, 'archive/data_batch_1.bin', Buffer.from([0x1f, 0x8b, 8, 0, ...new Array(3069).fill(0)]))
      await expect(importCifar({ paths: [archive], datasetsDir: datasetsDir() })).rejects.toMatchObject({
        message: expect.stringContaining('is a gzip archive; extract it first')
      })
      await writeFile(work, 'downloads/cifar-10-binary.tar.gz', 'x')
      await expect(importCifar({ paths: [path.join(work, 'downloads')], datasetsDir: datasetsDir() })).rejects.toMatchObject({
        code: 'SOURCE_NOT_FOUND',
        message: expect.stringContaining('holds no CIFAR training batches (data_batch_1.bin … or train.bin). It holds cifar-10-binary.tar.gz: extract it first')
      })
    })

    it('a names file that does not list one name per class', async () => {
      const folder = path.join(work, 'bad-names')
      await writeFile(folder, 'test_batch.bin', await fs.readFile(path.join(ten(), 'test_batch.bin')))
      await writeFile(folder, 'batches.meta.txt', 'cat\ndog\n')
      await expect(importCifar({ paths: [folder], split: 'test', datasetsDir: datasetsDir() })).rejects.toMatchObject({
        message: `${path.join(folder, 'batches.meta.txt')} lists 2 class names, one a line; CIFAR-10 has 10 classes. Fix or remove it.`
      })
    })

    it('a missing path', async () => {
      await expect(importCifar({ paths: [path.join(work, 'nope')], datasetsDir: datasetsDir() })).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' })
    })
  })

  it('leaves nothing behind when cancelled', async () => {
    const datasetsDir = path.join(work, 'cancel-lib')
    const big = await writeFile(work, 'big/data_batch_1.bin', Buffer.concat(Array.from({ length: 60 }, () => Buffer.alloc(20 * 3073))))
    const controller = new AbortController()
    const running = importCifar({ paths: [big], datasetsDir, signal: controller.signal, onProgress: (p) => p.done > 0 && controller.abort() })
    await expect(running).rejects.toMatchObject({ name: 'AbortError' })
    expect(await fs.readdir(datasetsDir)).toEqual([])
  })
})
