import * as fs from 'node:fs/promises'
import { createInflateRaw } from 'node:zlib'
import {
  dataStart,
  END_SEARCH_BYTES,
  findDirectory,
  parseDirectory,
  ZIP64_END_BYTES,
  ZIP64_LOCATOR_BYTES,
  ZipDamage,
  zip64Directory,
  zip64EndOffset,
  type ZipEntry
} from '../../../node/zip-directory'
import { ByteStream } from './byte-stream'
import { ImportError } from './import-error'

/**
 * The entries of a zip archive on disk (numpy's .npz: np.savez stores them, np.savez_compressed deflates
 * them, both with zip64 local headers), read from its central directory (parsed by node/zip-directory.ts) and
 * streamed one at a time, so an array bigger than memory is never loaded whole.
 */

const STORED = 0
const DEFLATED = 8
/** An .npz holds a handful of arrays; this bounds the work a hostile directory can ask for. */
const MAX_ENTRIES = 10_000

export type { ZipEntry }

export async function listZipEntries(file: string, what: string): Promise<ZipEntry[]> {
  const handle = await fs.open(file, 'r')
  try {
    const { size } = await handle.stat()
    const read = async (at: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buf, 0, length, at)
      if (bytesRead < length) throw new ZipDamage('is truncated: its zip directory points past its end')
      return buf
    }
    const tailStart = Math.max(0, size - END_SEARCH_BYTES)
    const found = findDirectory(await read(tailStart, size - tailStart), tailStart)
    const place =
      'zip64LocatorAt' in found ? zip64Directory(await read(zip64EndOffset(await read(found.zip64LocatorAt, ZIP64_LOCATOR_BYTES)), ZIP64_END_BYTES)) : found
    if (place.count > MAX_ENTRIES) throw invalid(file, what, `lists ${place.count.toLocaleString('en-US')} entries; an .npz of images holds a few arrays`)
    const entries = parseDirectory(await read(place.offset, place.size), place.count)
    const encrypted = entries.find((entry) => entry.flags & 1)
    if (encrypted) throw invalid(file, what, `holds an encrypted entry (${encrypted.name})`)
    return entries
  } catch (error) {
    throw error instanceof ZipDamage ? invalid(file, what, error.message) : error
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
  let start: number
  try {
    const local = Buffer.alloc(30)
    const { bytesRead } = await handle.read(local, 0, 30, entry.localHeaderOffset)
    start = dataStart(local.subarray(0, bytesRead), entry)
  } catch (error) {
    throw error instanceof ZipDamage ? invalid(file, what, error.message) : error
  } finally {
    await handle.close()
  }
  return ByteStream.ofFile(file, { start, end: start + entry.compressedSize, ...(entry.method === DEFLATED ? { through: createInflateRaw() } : {}) }, (error) =>
    invalid(file, what, `cannot be read: ${entry.name} does not decompress (${error.message}); it is damaged`)
  )
}

function invalid(file: string, what: string, message: string): ImportError {
  return new ImportError('FILE_INVALID', `The ${what} ${file} ${message}.`)
}
