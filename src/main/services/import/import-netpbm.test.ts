import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPython } from '../../../../tests/support/python'
import { openDataset } from '../../../node/dataset-files'
import { importFolder } from './import-folder'
import { makeTempDir, removeDir } from './test-support'

/**
 * A face set laid out as AT&T/ORL ships it — one folder per person (s1, s2, …) of binary PGM files — plus a
 * plain PPM, a 16-bit PGM and a cut-off file, written by numpy. Each image's pixels go to expected/ too.
 */
const WRITE_FACES = String.raw`
import sys, os, numpy as np
root = sys.argv[1]
os.makedirs(root + '/expected')
def expect(rel, pixels):
    open(root + '/expected/' + rel.replace('/', '_'), 'wb').write(pixels.astype(np.uint8).tobytes())
rng = np.random.RandomState(3)
side = 16
for person in (1, 2, 3):
    os.makedirs('%s/faces/s%d' % (root, person))
    for shot in (1, 2):
        face = rng.randint(0, 256, size=(side, side)).astype(np.uint8)
        rel = 'faces/s%d/%d.pgm' % (person, shot)
        open(root + '/' + rel, 'wb').write(b'P5\n%d %d\n255\n' % (side, side) + face.tobytes())
        expect(rel, face)
colour = rng.randint(0, 256, size=(side, side, 3))
os.makedirs(root + '/mixed')
open(root + '/mixed/a-colour.ppm', 'wb').write(b'P3\n%d %d\n255\n' % (side, side) + ' '.join(str(v) for v in colour.flatten()).encode() + b'\n')
expect('mixed/a-colour.ppm', colour)
deep = rng.randint(0, 65536, size=(side, side))
open(root + '/mixed/b-deep.pgm', 'wb').write(b'P5\n%d %d\n65535\n' % (side, side) + deep.astype('>u2').tobytes())
expect('mixed/b-deep.pgm', (2 * deep * 255 + 65535) // (2 * 65535))
open(root + '/mixed/c-cut.pgm', 'wb').write(b'P5\n%d %d\n255\n' % (side, side) + bytes(100))
`

let work: string

beforeAll(async () => {
  work = await makeTempDir('import-netpbm')
  runPython(WRITE_FACES, [work])
})

afterAll(async () => {
  await removeDir(work)
})

const expected = (rel: string): Promise<Buffer> => fs.readFile(path.join(work, 'expected', rel.replaceAll('/', '_')))

describe('importFolder with Netpbm files', () => {
  it('imports an AT&T/ORL-style tree of PGM faces, one class per person, pixel for pixel', async () => {
    const { manifest, dir } = await importFolder({
      source: path.join(work, 'faces'),
      datasetsDir: path.join(work, 'lib'),
      size: 16,
      grayscale: true,
      fit: 'crop',
      classFolders: true
    })
    expect(manifest.summary).toMatchObject({ seen: 6, imported: 6, skipped: 0 })
    expect(manifest.labels).toEqual({ file: 'labels.u8', classes: 3, names: ['s1', 's2', 's3'] })
    const dataset = await openDataset(dir)
    try {
      const images = dataset.readImages(0, 6)
      const files = manifest.files.map((f) => f.path)
      expect(files).toEqual(['s1/1.pgm', 's1/2.pgm', 's2/1.pgm', 's2/2.pgm', 's3/1.pgm', 's3/2.pgm'])
      for (const [i, rel] of files.entries()) expect(Buffer.from(images.subarray(i * 256, (i + 1) * 256))).toEqual(await expected(`faces/${rel}`))
      expect(Array.from(dataset.readLabels(0, 6))).toEqual([0, 0, 1, 1, 2, 2])
    } finally {
      dataset.close()
    }
  })

  it('reads plain PPM and 16-bit PGM, and skips a cut-off file with the reason', async () => {
    const { manifest, dir } = await importFolder({ source: path.join(work, 'mixed'), datasetsDir: path.join(work, 'lib'), size: 16, fit: 'crop' })
    expect(manifest.files).toEqual([
      { path: 'a-colour.ppm', status: 'imported', index: 0 },
      { path: 'b-deep.pgm', status: 'imported', index: 1 },
      {
        path: 'c-cut.pgm',
        status: 'skipped',
        reason: 'truncated or corrupt PGM: the 16×16 raster needs 256 bytes but the file has 100 after its header (truncated?)'
      }
    ])
    const dataset = await openDataset(dir)
    try {
      expect(Buffer.from(dataset.readImages(0, 1))).toEqual(await expected('mixed/a-colour.ppm'))
      // Grey into an RGB dataset: the same level in all three channels.
      const grey = await expected('mixed/b-deep.pgm')
      const rgb = dataset.readImages(1, 1)
      expect(Buffer.from(Array.from({ length: 256 }, (_, p) => rgb[p * 3]!))).toEqual(grey)
      expect(Array.from({ length: 256 }, (_, p) => rgb[p * 3 + 2]! - rgb[p * 3]!).every((d) => d === 0)).toBe(true)
    } finally {
      dataset.close()
    }
  })
})
