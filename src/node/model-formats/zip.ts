import * as zlib from 'node:zlib'
import {
  CENTRAL_HEADER,
  dataStart,
  END_OF_CENTRAL_DIRECTORY,
  END_SEARCH_BYTES,
  findDirectory,
  LOCAL_HEADER,
  parseDirectory,
  ZIP64_END_BYTES,
  ZIP64_LOCATOR_BYTES,
  ZipDamage,
  zip64Directory,
  zip64EndOffset,
  type ZipEntry
} from '../zip-directory'
import { ByteReader, ModelFileError } from './model-file-error'

/**
 * The zip archives torch.save writes (and torch.load reads): entries read by name from the central directory
 * (parsed by ../zip-directory.ts), stored or deflated, zip64 sizes understood, every offset and length checked
 * against the file, every CRC checked. Nothing is ever extracted to disk, so names cannot escape anywhere; they are still checked, as a
 * name like "../x" only turns up in an archive made to attack something.
 */

/** Far more than a state dict has (one entry per tensor); a bound on work for a hostile archive. */
const MAX_ENTRIES = 100_000

export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
}

export class ZipArchive {
  private readonly byName: Map<string, ZipEntry>

  private constructor(
    private readonly reader: ByteReader,
    readonly entries: readonly ZipEntry[]
  ) {
    this.byName = new Map(entries.map((entry) => [entry.name, entry]))
  }

  static open(bytes: Uint8Array, file: string): ZipArchive {
    const reader = new ByteReader(bytes, file, 'the zip archive')
    try {
      const tailStart = Math.max(0, bytes.byteLength - END_SEARCH_BYTES)
      const found = findDirectory(bytes.subarray(tailStart), tailStart)
      const place =
        'zip64LocatorAt' in found
          ? zip64Directory(reader.slice(zip64EndOffset(reader.slice(found.zip64LocatorAt, ZIP64_LOCATOR_BYTES)), ZIP64_END_BYTES))
          : found
      if (place.count > MAX_ENTRIES)
        throw new ModelFileError(file, `${file} lists ${place.count} files; a model archive has far fewer. It is not a model file.`)
      const entries = parseDirectory(reader.slice(place.offset, place.size), place.count)
      for (const entry of entries) {
        if (entry.flags & 1) throw new ModelFileError(file, `${file} holds an encrypted entry (${entry.name}); model files are never encrypted.`)
        checkEntryName(entry.name, file)
      }
      return new ZipArchive(reader, entries)
    } catch (error) {
      if (error instanceof ZipDamage) throw new ModelFileError(file, `${file} ${error.message}.`, { cause: error })
      throw error
    }
  }

  has(name: string): boolean {
    return this.byName.has(name)
  }

  /** The entry's bytes, checked against its CRC. Stored entries are a view of the file's bytes (no copy). */
  read(name: string, maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
    const entry = this.byName.get(name)
    const file = this.reader.file
    if (!entry) throw new ModelFileError(file, `${file} has no entry ${name}.`)
    if (entry.size > maxBytes) throw new ModelFileError(file, `${file}: ${name} is ${entry.size} bytes, more than the ${maxBytes} allowed for it.`)
    let start: number
    try {
      start = dataStart(this.reader.slice(entry.localHeaderOffset, 30), entry)
    } catch (error) {
      if (error instanceof ZipDamage) throw new ModelFileError(file, `${file} ${error.message}.`, { cause: error })
      throw error
    }
    const stored = this.reader.slice(start, entry.compressedSize)
    let data: Uint8Array
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) throw new ModelFileError(file, `${file} is damaged: ${name} is stored with two different sizes.`)
      data = stored
    } else if (entry.method === 8) {
      try {
        data = zlib.inflateRawSync(stored, { maxOutputLength: Math.max(1, entry.size) })
      } catch (error) {
        throw new ModelFileError(file, `${file} is damaged: ${name} does not decompress (${(error as Error).message}).`, { cause: error })
      }
      if (data.byteLength !== entry.size)
        throw new ModelFileError(file, `${file} is damaged: ${name} decompresses to ${data.byteLength} bytes, not ${entry.size}.`)
    } else {
      throw new ModelFileError(file, `${file} compresses ${name} with zip method ${entry.method}; only stored (0) and deflated (8) entries are read.`)
    }
    if (zlib.crc32(data) !== entry.crc32) throw new ModelFileError(file, `${file} is damaged: ${name} fails its checksum.`)
    return data
  }
}

function checkEntryName(name: string, file: string): void {
  const parts = name.split(/[\\/]/)
  if (name.length === 0 || name.startsWith('/') || /^[a-zA-Z]:/.test(name) || parts.includes('..') || name.includes('\0')) {
    throw new ModelFileError(file, `${file} holds an entry named "${name}", a name no model archive has; it is refused.`)
  }
}

/** PyTorch aligns each record's data to 64 bytes, so a reader can map tensors from the file directly. */
const ALIGNMENT = 64
/** The extra-field id PyTorch pads local headers with ("FB"). */
const PADDING_FIELD = 0x4246

/**
 * A zip archive of stored (uncompressed) entries laid out as PyTorch writes them: each entry's data aligned to
 * 64 bytes by padding its local header's extra field. Archives of 4 GiB or more (zip64) are refused.
 */
export function writeZip(entries: readonly { name: string; data: Uint8Array }[]): Uint8Array {
  const encoder = new TextEncoder()
  const parts: Uint8Array[] = []
  const central: Uint8Array[] = []
  let offset = 0
  for (const entry of entries) {
    const name = encoder.encode(entry.name)
    const crc = zlib.crc32(entry.data)
    const headerEnd = offset + 30 + name.byteLength
    // The padding field's own 4-byte header must fit, so pad to the next boundary at least 4 bytes on.
    const padding = (ALIGNMENT - ((headerEnd + 4) % ALIGNMENT)) % ALIGNMENT
    const extraLength = 4 + padding
    const local = new Uint8Array(30 + name.byteLength + extraLength)
    const view = new DataView(local.buffer)
    view.setUint32(0, LOCAL_HEADER, true)
    view.setUint16(4, 20, true)
    view.setUint16(6, 0x0800, true)
    view.setUint16(8, 0, true)
    view.setUint16(12, 0x21, true)
    view.setUint32(14, crc, true)
    view.setUint32(18, entry.data.byteLength, true)
    view.setUint32(22, entry.data.byteLength, true)
    view.setUint16(26, name.byteLength, true)
    view.setUint16(28, extraLength, true)
    local.set(name, 30)
    view.setUint16(30 + name.byteLength, PADDING_FIELD, true)
    view.setUint16(32 + name.byteLength, padding, true)
    const header = new Uint8Array(46 + name.byteLength)
    const cview = new DataView(header.buffer)
    cview.setUint32(0, CENTRAL_HEADER, true)
    cview.setUint16(4, 20, true)
    cview.setUint16(6, 20, true)
    cview.setUint16(8, 0x0800, true)
    cview.setUint16(10, 0, true)
    cview.setUint16(14, 0x21, true)
    cview.setUint32(16, crc, true)
    cview.setUint32(20, entry.data.byteLength, true)
    cview.setUint32(24, entry.data.byteLength, true)
    cview.setUint16(28, name.byteLength, true)
    cview.setUint32(42, offset, true)
    header.set(name, 46)
    parts.push(local, entry.data)
    central.push(header)
    offset += local.byteLength + entry.data.byteLength
  }
  const centralSize = central.reduce((sum, header) => sum + header.byteLength, 0)
  if (offset + centralSize + 22 >= 0xffffffff) throw new Error('writeZip: the archive would need zip64 (4 GiB or more), which is not written.')
  const end = new Uint8Array(22)
  const eview = new DataView(end.buffer)
  eview.setUint32(0, END_OF_CENTRAL_DIRECTORY, true)
  eview.setUint16(8, entries.length, true)
  eview.setUint16(10, entries.length, true)
  eview.setUint32(12, centralSize, true)
  eview.setUint32(16, offset, true)
  const out = new Uint8Array(offset + centralSize + 22)
  let at = 0
  for (const part of [...parts, ...central, end]) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}
