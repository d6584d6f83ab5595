import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPython } from '../../../../tests/support/python'
import { decodeNetpbm, NetpbmError, readNetpbmHeader } from './decode-netpbm'
import { sniffImage } from './sniff-image'
import { makeTempDir, removeDir } from './test-support'

/**
 * Writes every Netpbm variant by hand with numpy (as the format's spec lays the bytes out), with the 8-bit
 * pixels each should decode to beside it as NAME.expected: round(v · 255 / maxval), half up, in exact integers.
 */
const WRITE_NETPBM = String.raw`
import sys, numpy as np
out = sys.argv[1]
rng = np.random.RandomState(7)
def expected8(v, maxval):
    return ((2 * v.astype(np.int64) * 255 + maxval) // (2 * maxval)).astype(np.uint8)
def save(name, header, raster, pixels):
    open(out + '/' + name, 'wb').write(header.encode('ascii') + raster)
    open(out + '/' + name + '.expected', 'wb').write(pixels.astype(np.uint8).tobytes())
def plain(values, per_line=12):
    flat = [str(int(v)) for v in values.flatten()]
    return ('\n'.join(' '.join(flat[i:i + per_line]) for i in range(0, len(flat), per_line)) + '\n').encode('ascii')
w, h = 13, 5
grey = rng.randint(0, 256, size=(h, w))
save('grey.pgm', 'P5\n# written by numpy\n%d %d\n255\n' % (w, h), grey.astype(np.uint8).tobytes(), grey)
save('grey-plain.pgm', 'P2\n%d %d # size\n255\n' % (w, h), plain(grey), grey)
deep = rng.randint(0, 65536, size=(h, w))
save('deep.pgm', 'P5 %d %d 65535\n' % (w, h), deep.astype('>u2').tobytes(), expected8(deep, 65535))
save('deep-plain.pgm', 'P2\n%d %d\n65535\n' % (w, h), plain(deep), expected8(deep, 65535))
odd = rng.randint(0, 1001, size=(h, w))
save('odd-maxval.pgm', 'P5\n%d %d\n1000\n' % (w, h), odd.astype('>u2').tobytes(), expected8(odd, 1000))
small = rng.randint(0, 16, size=(h, w))
save('maxval15.pgm', 'P5\n%d %d\n15\n' % (w, h), small.astype(np.uint8).tobytes(), expected8(small, 15))
rgb = rng.randint(0, 256, size=(h, w, 3))
save('colour.ppm', 'P6\n%d %d\n255\n' % (w, h), rgb.astype(np.uint8).tobytes(), rgb)
save('colour-plain.ppm', 'P3\n# a comment\n%d %d\n255\n' % (w, h), plain(rgb), rgb)
deep_rgb = rng.randint(0, 65536, size=(h, w, 3))
save('deep.ppm', 'P6\n%d %d\n65535\n' % (w, h), deep_rgb.astype('>u2').tobytes(), expected8(deep_rgb, 65535))
ink = rng.randint(0, 2, size=(h, w))
# Binary PBM: 1 is black, 8 pixels a byte, most significant bit first, every row padded to a whole byte.
save('bits.pbm', 'P4\n# bits\n%d %d\n' % (w, h), np.packbits(ink.astype(np.uint8), axis=1).tobytes(), (1 - ink) * 255)
# Plain PBM digits need no separators.
save('bits-plain.pbm', 'P1\n%d %d\n' % (w, h), ('\n'.join(''.join(str(v) for v in row) for row in ink) + '\n').encode('ascii'), (1 - ink) * 255)
`

let work: string

beforeAll(async () => {
  work = await makeTempDir('netpbm')
  runPython(WRITE_NETPBM, [work])
})

afterAll(async () => {
  await removeDir(work)
})

const read = (name: string): Promise<Buffer> => fs.readFile(path.join(work, name))

describe('decodeNetpbm', () => {
  const cases: [string, 'PGM' | 'PPM' | 'PBM', 1 | 3][] = [
    ['grey.pgm', 'PGM', 1],
    ['grey-plain.pgm', 'PGM', 1],
    ['deep.pgm', 'PGM', 1],
    ['deep-plain.pgm', 'PGM', 1],
    ['odd-maxval.pgm', 'PGM', 1],
    ['maxval15.pgm', 'PGM', 1],
    ['colour.ppm', 'PPM', 3],
    ['colour-plain.ppm', 'PPM', 3],
    ['deep.ppm', 'PPM', 3],
    ['bits.pbm', 'PBM', 1],
    ['bits-plain.pbm', 'PBM', 1]
  ]
  it.each(cases)('decodes %s exactly as numpy wrote it', async (name, kind, channels) => {
    const bytes = await read(name)
    expect(sniffImage(bytes)).toEqual({ kind: 'image', format: 'netpbm' })
    const header = readNetpbmHeader(bytes)
    expect(header).toMatchObject({ kind, width: 13, height: 5, channels })
    const decoded = decodeNetpbm(bytes, header)
    expect(decoded).toMatchObject({ width: 13, height: 5, channels })
    expect(decoded.data).toEqual(await read(`${name}.expected`))
  })

  const broken = (bytes: Buffer | string): RegExp | string => {
    try {
      decodeNetpbm(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes)
    } catch (error) {
      expect(error).toBeInstanceOf(NetpbmError)
      return (error as Error).message
    }
    throw new Error('expected the decoder to refuse the file')
  }

  it('refuses damaged files, saying what is wrong', async () => {
    const grey = await read('grey.pgm')
    expect(broken(grey.subarray(0, grey.length - 10))).toBe('the 13×5 raster needs 65 bytes but the file has 55 after its header (truncated?)')
    const plainText = (await read('grey-plain.pgm')).toString('latin1')
    expect(broken(plainText.slice(0, plainText.lastIndexOf(' ')))).toMatch(/^the file ends after 6\d of the 65 samples of its 13×5 raster \(truncated\?\)$/)
    expect(broken('P5\n4 4\n')).toBe('the file ends inside its header (before the maxval)')
    expect(broken('P5 4 4 0\n')).toBe('the maxval is 0; it must be 1 to 65,535')
    expect(broken('P5 4 4 65536\n')).toBe('the maxval is more than 65,535')
    expect(broken('P6 99999999999 2 255\n')).toBe('the width is more than 65,535')
    expect(broken('P2 0 3 255\n')).toBe('bad dimensions 0×3')
    expect(broken('P2 2 1 10\n3 11\n')).toBe('sample 1 is 11, above the maxval 10')
    expect(broken('P2 2x 1 10\n3 1\n')).toBe('the width is followed by "x"')
    expect(broken('P1 2 1\n0 2\n')).toBe('pixel 1 is "2"; a plain PBM raster holds only 0 and 1')
    expect(broken(Buffer.concat([Buffer.from('P5 2 1 100\n'), Buffer.from([5, 200])]))).toBe('sample 1 is 200, above the maxval 100')
  })

  it('reads only the first image of a file holding several', async () => {
    const grey = await read('grey.pgm')
    const decoded = decodeNetpbm(Buffer.concat([grey, grey]))
    expect(decoded.data).toEqual(await read('grey.pgm.expected'))
  })

  it('tells the other Netpbm-like formats apart', () => {
    expect(sniffImage(Buffer.from('P7\nWIDTH 2\n'))).toEqual({ kind: 'other', reason: 'unsupported image format (PAM)' })
    expect(sniffImage(Buffer.from('PF\n2 2\n-1.0\n'))).toEqual({ kind: 'other', reason: 'unsupported image format (PFM)' })
    expect(sniffImage(Buffer.from('P5is not a header'))).toEqual({ kind: 'other', reason: 'not an image (text file)' })
  })
})
