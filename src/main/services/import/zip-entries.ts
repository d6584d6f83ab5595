import * as fs from 'node:fs/promises'
import { createInflateRaw } from 'node:zlib'
import { ByteStream } from './byte-stream'
import { ImportError } from './import-error'

/**
 * The entries of a zip archive on disk (numpy's .npz: np.savez stores them, np.savez_compressed deflates
 * them, both with zip64 local headers), read from its central directory and streamed one at a time, so an
 * array bigger than memory is never loaded whole.
 */

const LOCAL_HEADER = 0x04034b50
const CENTRAL_HEADER = 0x02014b50
const END_OF_CENTRAL_DIRECTORY = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_END = 0x06064b50
const ZIP64_EXTRA = 0x0001
const STORED = 0
const DEFLATED = 8
/** An .npz holds a handful of arrays; this bounds the work a hostile directory can ask for. */
const MAX_ENTRIES = 10_000

export interface ZipEntry {
  name: string
  method: number
  compressedSize: number
  size: number
  localHeaderOffset: number
}

export async function listZipEntries(file: string, what: string): Promise<ZipEntry[]> {
  const handle = await fs.open(file, 'r')
  try {
    const { size } = await handle.stat()
    const read = async (at: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buf, 0, length, at)
      if (bytesRead < length) throw invalid(file, what, 'is truncated: its zip directory points past its end')
      return buf
    }
    // The end record is 22 bytes plus at most a 64 KiB comment from the end.
    const tailStart = Math.max(0, size - 22 - 0xffff)
    const tail = await read(tailStart, size - tailStart)
    let end = -1
    for (let at = tail.length - 22; at >= 0; at--) {
      if (tail.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
        end = at
        break
      }
    }
    if (end < 0) throw invalid(file, what, 'has no zip directory at its end: it is cut short, damaged or not a zip archive')
    let count = tail.readUInt16LE(end + 10)
    let dirSize = tail.readUInt32LE(end + 12)
    let dirOffset = tail.readUInt32LE(end + 16)
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
      const locator = await read(tailStart + end - 20, 20)
      if (locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw invalid(file, what, 'is damaged: its zip64 directory is missing')
      const record = await read(Number(locator.readBigUInt64LE(8)), 56)
      if (record.readUInt32LE(0) !== ZIP64_END) throw invalid(file, what, 'is damaged: its zip64 directory is not where it says')
      count = Number(record.readBigUInt64LE(32))
      dirSize = Number(record.readBigUInt64LE(40))
      dirOffset = Number(record.readBigUInt64LE(48))
    }
    if (count > MAX_ENTRIES) throw invalid(file, what, `lists ${count.toLocaleString('en-US')} entries; an .npz of images holds a few arrays`)
    const dir = await read(dirOffset, dirSize)
    const entries: ZipEntry[] = []
    let at = 0
    for (let i = 0; i < count; i++) {
      if (at + 46 > dir.length || dir.readUInt32LE(at) !== CENTRAL_HEADER)
        throw invalid(file, what, `is damaged: its zip directory is broken at entry ${i + 1} of ${count}`)
      const flags = dir.readUInt16LE(at + 8)
      const method = dir.readUInt16LE(at + 10)
      let compressedSize = dir.readUInt32LE(at + 20)
      let entrySize = dir.readUInt32LE(at + 24)
      const nameLength = dir.readUInt16LE(at + 28)
      const extraLength = dir.readUInt16LE(at + 30)
      const commentLength = dir.readUInt16LE(at + 32)
      let localHeaderOffset = dir.readUInt32LE(at + 42)
      const name = dir.toString('utf8', at + 46, at + 46 + nameLength)
      if (flags & 1) throw invalid(file, what, `holds an encrypted entry (${name})`)
      // Zip64 sizes come in this order, each only when its 32-bit field says 0xffffffff.
      const extra = dir.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength)
      for (let e = 0; e + 4 <= extra.length; e += 4 + extra.readUInt16LE(e + 2)) {
        if (extra.readUInt16LE(e) !== ZIP64_EXTRA) continue
        let p = e + 4
        const wide = (): number => {
          const value = Number(extra.readBigUInt64LE(p))
          p += 8
          return value
        }
        if (entrySize === 0xffffffff) entrySize = wide()
        if (compressedSize === 0xffffffff) compressedSize = wide()
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = wide()
      }
      entries.push({ name, method, compressedSize, size: entrySize, localHeaderOffset })
      at += 46 + nameLength + extraLength + commentLength
    }
    return entries
  } finally {
    await handle.close()
  }
}

/** One entry's bytes, inflated if deflated. */
export async function openZipEntry(file: string, what: string, entry: ZipEntry): Promise<ByteStream> {
  if (entry.method !== STORED && entry.method !== DEFLATED)
    throw invalid(
      file,
      what,
      `compresses ${entry.name} with zip method ${entry.method}; only stored and deflated entries (np.savez, np.savez_compressed) are read`
    )
  const handle = await fs.open(file, 'r')
  let local: Buffer
  try {
    local = Buffer.alloc(30)
    const { bytesRead } = await handle.read(local, 0, 30, entry.localHeaderOffset)
    if (bytesRead < 30 || local.readUInt32LE(0) !== LOCAL_HEADER)
      throw invalid(file, what, `is damaged: the data of ${entry.name} is not where its directory says`)
  } finally {
    await handle.close()
  }
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28)
  return ByteStream.ofFile(file, { start, end: start + entry.compressedSize, ...(entry.method === DEFLATED ? { through: createInflateRaw() } : {}) }, (error) =>
    invalid(file, what, `cannot be read: ${entry.name} does not decompress (${error.message}); it is damaged`)
  )
}

function invalid(file: string, what: string, message: string): ImportError {
  return new ImportError('FILE_INVALID', `The ${what} ${file} ${message}.`)
}
