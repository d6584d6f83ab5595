import * as zlib from 'node:zlib'
import { ByteReader, ModelFileError } from './model-file-error'

/**
 * The zip archives torch.save writes (and torch.load reads): entries read by name from the central directory,
 * stored or deflated, zip64 sizes understood, every offset and length checked against the file, every CRC
 * checked. Nothing is ever extracted to disk, so names cannot escape anywhere; they are still checked, as a
 * name like "../x" only turns up in an archive made to attack something.
 */

const LOCAL_HEADER = 0x04034b50
const CENTRAL_HEADER = 0x02014b50
const END_OF_CENTRAL_DIRECTORY = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_END = 0x06064b50
const ZIP64_EXTRA = 0x0001
/** Far more than a state dict has (one entry per tensor); a bound on work for a hostile archive. */
const MAX_ENTRIES = 100_000

export interface ZipEntry {
  readonly name: string
  readonly method: number
  readonly crc32: number
  readonly compressedSize: number
  readonly size: number
  readonly localHeaderOffset: number
}

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
    const { count, offset, size } = centralDirectory(reader)
    if (count > MAX_ENTRIES) throw new ModelFileError(file, `${file} lists ${count} files; a model archive has far fewer. It is not a model file.`)
    reader.check(offset, size)
    const entries: ZipEntry[] = []
    let at = offset
    for (let i = 0; i < count; i++) {
      if (reader.u32(at) !== CENTRAL_HEADER) throw new ModelFileError(file, `${file} is damaged: its zip directory is broken at entry ${i + 1} of ${count}.`)
      const flags = reader.u16(at + 8)
      const method = reader.u16(at + 10)
      const crc32 = reader.u32(at + 16)
      let compressedSize = reader.u32(at + 20)
      let size = reader.u32(at + 24)
      const nameLength = reader.u16(at + 28)
      const extraLength = reader.u16(at + 30)
      const commentLength = reader.u16(at + 32)
      let localHeaderOffset = reader.u32(at + 42)
      const name = new TextDecoder('utf-8', { fatal: false }).decode(reader.slice(at + 46, nameLength))
      const extra = reader.slice(at + 46 + nameLength, extraLength)
      if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
        const wide = zip64Fields(new ByteReader(extra, file, `the zip64 sizes of ${name}`), {
          size: size === 0xffffffff,
          compressedSize: compressedSize === 0xffffffff,
          offset: localHeaderOffset === 0xffffffff
        })
        size = wide.size ?? size
        compressedSize = wide.compressedSize ?? compressedSize
        localHeaderOffset = wide.offset ?? localHeaderOffset
      }
      if (flags & 1) throw new ModelFileError(file, `${file} holds an encrypted entry (${name}); model files are never encrypted.`)
      checkEntryName(name, file)
      entries.push({ name, method, crc32, compressedSize, size, localHeaderOffset })
      at += 46 + nameLength + extraLength + commentLength
    }
    return new ZipArchive(reader, entries)
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
    const at = entry.localHeaderOffset
    if (this.reader.u32(at) !== LOCAL_HEADER) throw new ModelFileError(file, `${file} is damaged: the data of ${name} is not where its directory says.`)
    const start = at + 30 + this.reader.u16(at + 26) + this.reader.u16(at + 28)
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

function centralDirectory(reader: ByteReader): { count: number; offset: number; size: number } {
  const file = reader.file
  // The end record is at most 22 bytes plus a 64 KiB comment from the end.
  const floor = Math.max(0, reader.length - 22 - 0xffff)
  let end = -1
  for (let at = reader.length - 22; at >= floor; at--) {
    if (reader.u32(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at
      break
    }
  }
  if (end < 0) throw new ModelFileError(file, `${file} starts like a zip archive but has no zip directory at its end: it is cut short or damaged.`)
  let count = reader.u16(end + 10)
  let size = reader.u32(end + 12)
  let offset = reader.u32(end + 16)
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = end - 20
    if (locator < 0 || reader.u32(locator) !== ZIP64_LOCATOR) throw new ModelFileError(file, `${file} is damaged: its zip64 directory is missing.`)
    const record = reader.u64(locator + 8)
    if (reader.u32(record) !== ZIP64_END) throw new ModelFileError(file, `${file} is damaged: its zip64 directory is not where it says.`)
    count = reader.u64(record + 32)
    size = reader.u64(record + 40)
    offset = reader.u64(record + 48)
  }
  return { count, offset, size }
}

/** The 64-bit sizes of a zip64 entry, in the order the format lists them (only those marked as too big). */
function zip64Fields(
  extra: ByteReader,
  wanted: { size: boolean; compressedSize: boolean; offset: boolean }
): { size?: number; compressedSize?: number; offset?: number } {
  let at = 0
  while (at + 4 <= extra.length) {
    const id = extra.u16(at)
    const length = extra.u16(at + 2)
    if (id === ZIP64_EXTRA) {
      const fields: { size?: number; compressedSize?: number; offset?: number } = {}
      let p = at + 4
      if (wanted.size) {
        fields.size = extra.u64(p)
        p += 8
      }
      if (wanted.compressedSize) {
        fields.compressedSize = extra.u64(p)
        p += 8
      }
      if (wanted.offset) fields.offset = extra.u64(p)
      return fields
    }
    at += 4 + length
  }
  throw new ModelFileError(extra.file, `${extra.file} is damaged: an entry says it has zip64 sizes but has none.`)
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
