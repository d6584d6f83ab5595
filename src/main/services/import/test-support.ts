// Helpers for the import tests: real files in real temp folders, nothing faked.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import sharp from 'sharp'
import { openDataset } from '../../../node/dataset-files'

export async function makeTempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `dcgan-${prefix}-`))
}

export async function removeDir(dir: string): Promise<void> {
  // Undo any chmod 000 a test left, so the folder can be removed.
  await fs.chmod(dir, 0o755).catch(() => undefined)
  await fs.rm(dir, { recursive: true, force: true })
}

export async function writeFile(root: string, rel: string, data: Uint8Array | string): Promise<string> {
  const file = path.join(root, rel)
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(file, data)
  return file
}

/** A solid-colour image of the given size, encoded by sharp. */
export function solid(width: number, height: number, colour: { r: number; g: number; b: number; alpha?: number }): sharp.Sharp {
  return sharp({ create: { width, height, channels: colour.alpha === undefined ? 3 : 4, background: colour } })
}

/** Gaussian noise: compresses badly, so it makes files of a predictable, non-trivial size. */
export function noise(width: number, height: number): sharp.Sharp {
  return sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
}

/** Left half `left`, right half `right`, as a 3-channel image. */
export function halves(width: number, height: number, left: number, right: number): sharp.Sharp {
  const raw = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.fill(x < width / 2 ? left : right, (y * width + x) * 3, (y * width + x) * 3 + 3)
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
}

/**
 * Everything about a folder tree that an importer could change: names, kinds, modes, contents and link
 * targets. Equal before and after means the source was left alone.
 */
export async function fingerprintTree(root: string): Promise<string> {
  const hash = createHash('sha256')
  const visit = async (dir: string, rel: string): Promise<void> => {
    const names = (await fs.readdir(dir)).sort()
    for (const name of names) {
      const abs = path.join(dir, name)
      const relPath = `${rel}/${name}`
      const stat = await fs.lstat(abs)
      hash.update(`${relPath}\0${stat.mode}\0${stat.size}\0${stat.mtimeMs}\0`)
      if (stat.isSymbolicLink()) hash.update(await fs.readlink(abs))
      else if (stat.isDirectory()) await visit(abs, relPath)
      else if (stat.isFile() && (stat.mode & 0o444) !== 0) hash.update(await fs.readFile(abs))
    }
  }
  await visit(root, '')
  return hash.digest('hex')
}

/** A BMP file: 24-bit (`rgb`, top row first) or 8-bit palette (`indices` + `palette` of RGB triples). */
export function encodeBmp(
  width: number,
  height: number,
  pixels: { bits: 24; rgb: Uint8Array } | { bits: 8; indices: Uint8Array; palette: Uint8Array } | { bits: 32; rgba: Uint8Array }
): Buffer {
  const bits = pixels.bits
  const stride = Math.floor((bits * width + 31) / 32) * 4
  const paletteEntries = pixels.bits === 8 ? pixels.palette.length / 3 : 0
  // 32-bit uses a V4 header so it can carry an alpha mask (BI_BITFIELDS); the others a plain 40-byte one.
  const headerSize = bits === 32 ? 108 : 40
  const pixelOffset = 14 + headerSize + paletteEntries * 4
  const file = Buffer.alloc(pixelOffset + stride * height)
  file.write('BM', 0, 'ascii')
  file.writeUInt32LE(file.length, 2)
  file.writeUInt32LE(pixelOffset, 10)
  file.writeUInt32LE(headerSize, 14)
  file.writeInt32LE(width, 18)
  file.writeInt32LE(height, 22) // positive: bottom-up rows, the common form
  file.writeUInt16LE(1, 26)
  file.writeUInt16LE(bits, 28)
  file.writeUInt32LE(bits === 32 ? 3 : 0, 30)
  file.writeUInt32LE(stride * height, 34)
  file.writeUInt32LE(paletteEntries, 46)
  if (bits === 32) {
    file.writeUInt32LE(0x00ff0000, 54)
    file.writeUInt32LE(0x0000ff00, 58)
    file.writeUInt32LE(0x000000ff, 62)
    file.writeUInt32LE(0xff000000, 66)
  }
  if (pixels.bits === 8) {
    for (let i = 0; i < paletteEntries; i++) {
      const at = 14 + headerSize + i * 4
      file[at] = pixels.palette[i * 3 + 2]!
      file[at + 1] = pixels.palette[i * 3 + 1]!
      file[at + 2] = pixels.palette[i * 3]!
    }
  }
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (height - 1 - y) * stride
    for (let x = 0; x < width; x++) {
      const i = y * width + x
      if (pixels.bits === 8) {
        file[row + x] = pixels.indices[i]!
      } else if (pixels.bits === 24) {
        file[row + x * 3] = pixels.rgb[i * 3 + 2]!
        file[row + x * 3 + 1] = pixels.rgb[i * 3 + 1]!
        file[row + x * 3 + 2] = pixels.rgb[i * 3]!
      } else {
        file[row + x * 4] = pixels.rgba[i * 4 + 2]!
        file[row + x * 4 + 1] = pixels.rgba[i * 4 + 1]!
        file[row + x * 4 + 2] = pixels.rgba[i * 4]!
        file[row + x * 4 + 3] = pixels.rgba[i * 4 + 3]!
      }
    }
  }
  return file
}

/** An IDX file: images (count × side × side) or labels (count), optionally gzipped. */
export function encodeIdx(data: Uint8Array, dims: number[], gzip = false): Buffer {
  const header = Buffer.alloc(4 + dims.length * 4)
  header[2] = 0x08
  header[3] = dims.length
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + i * 4))
  const file = Buffer.concat([header, data])
  return gzip ? gzipSync(file) : file
}

/** `count` images of `side`², image i filled with the value i * 3 % 256, and labels i % 10. */
export function idxFixture(count: number, side: number): { images: Buffer; labels: Buffer } {
  const images = Buffer.alloc(count * side * side)
  for (let i = 0; i < count; i++) images.fill((i * 3) % 256, i * side * side, (i + 1) * side * side)
  const labels = Buffer.from(Array.from({ length: count }, (_, i) => i % 10))
  return { images, labels }
}

/** A dataset's first `count` images and (if it has them) labels, read back from the library as the trainers read them. */
export async function readBack(dir: string, count: number): Promise<{ images: Buffer; labels: Buffer | null }> {
  const dataset = await openDataset(dir)
  try {
    return { images: Buffer.from(dataset.readImages(0, count)), labels: dataset.manifest.labels ? Buffer.from(dataset.readLabels(0, count)) : null }
  } finally {
    dataset.close()
  }
}
