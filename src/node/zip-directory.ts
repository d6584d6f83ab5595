/**
 * A zip archive's central directory, parsed for the studio's two zip readers: model-formats/zip.ts reads
 * torch.save archives held in memory, services/import/zip-entries.ts streams numpy's .npz from disk. Both find
 * the end record, follow zip64 where the 32-bit fields overflow, and list the entries; how they get the bytes
 * (a slice of memory, a read from a file) and what their errors say is theirs. Every parse error here is a
 * `ZipDamage`, whose message completes a sentence that starts with the file's name.
 */

export const LOCAL_HEADER = 0x04034b50
export const CENTRAL_HEADER = 0x02014b50
export const END_OF_CENTRAL_DIRECTORY = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_END = 0x06064b50
const ZIP64_EXTRA = 0x0001
/** Bytes of the end record without its comment, and of the zip64 locator before it. */
export const END_RECORD_BYTES = 22
export const ZIP64_LOCATOR_BYTES = 20
export const ZIP64_END_BYTES = 56
/** Where the end record can start at the earliest: it is followed by at most a 64 KiB comment. */
export const END_SEARCH_BYTES = END_RECORD_BYTES + 0xffff

export interface ZipEntry {
  readonly name: string
  readonly flags: number
  readonly method: number
  readonly crc32: number
  readonly compressedSize: number
  readonly size: number
  readonly localHeaderOffset: number
}

/** Where the central directory is, and how many entries it lists. */
export interface DirectoryPlace {
  count: number
  offset: number
  size: number
}

export class ZipDamage extends Error {}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function u64(data: DataView, at: number): number {
  return Number(data.getBigUint64(at, true))
}

/**
 * Finds the end record in `tail` (the file's last bytes, from `tailStart`: END_SEARCH_BYTES of them or the
 * whole file). Returns the directory's place, or, for a zip64 archive, where its 20-byte locator is to be read.
 */
export function findDirectory(tail: Uint8Array, tailStart: number): DirectoryPlace | { zip64LocatorAt: number } {
  const data = view(tail)
  let end = -1
  for (let at = tail.byteLength - END_RECORD_BYTES; at >= 0; at--) {
    if (data.getUint32(at, true) === END_OF_CENTRAL_DIRECTORY) {
      end = at
      break
    }
  }
  if (end < 0) throw new ZipDamage('has no zip directory at its end: it is cut short, damaged or not a zip archive')
  const place = { count: data.getUint16(end + 10, true), size: data.getUint32(end + 12, true), offset: data.getUint32(end + 16, true) }
  if (place.count !== 0xffff && place.size !== 0xffffffff && place.offset !== 0xffffffff) return place
  if (tailStart + end < ZIP64_LOCATOR_BYTES) throw new ZipDamage('is damaged: its zip64 directory is missing')
  return { zip64LocatorAt: tailStart + end - ZIP64_LOCATOR_BYTES }
}

/** The offset of the zip64 end record that a locator (ZIP64_LOCATOR_BYTES) points to. */
export function zip64EndOffset(locator: Uint8Array): number {
  const data = view(locator)
  if (data.getUint32(0, true) !== ZIP64_LOCATOR) throw new ZipDamage('is damaged: its zip64 directory is missing')
  return u64(data, 8)
}

/** The directory's place as a zip64 end record (ZIP64_END_BYTES) gives it. */
export function zip64Directory(record: Uint8Array): DirectoryPlace {
  const data = view(record)
  if (data.getUint32(0, true) !== ZIP64_END) throw new ZipDamage('is damaged: its zip64 directory is not where it says')
  return { count: u64(data, 32), size: u64(data, 40), offset: u64(data, 48) }
}

/** The `count` entries of a central directory (its bytes), zip64 sizes and offsets resolved. */
export function parseDirectory(directory: Uint8Array, count: number): ZipEntry[] {
  const data = view(directory)
  const decoder = new TextDecoder('utf-8', { fatal: false })
  const entries: ZipEntry[] = []
  let at = 0
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.byteLength || data.getUint32(at, true) !== CENTRAL_HEADER) {
      throw new ZipDamage(`is damaged: its zip directory is broken at entry ${i + 1} of ${count}`)
    }
    const nameLength = data.getUint16(at + 28, true)
    const extraLength = data.getUint16(at + 30, true)
    const commentLength = data.getUint16(at + 32, true)
    if (at + 46 + nameLength + extraLength > directory.byteLength) {
      throw new ZipDamage(`is damaged: its zip directory is broken at entry ${i + 1} of ${count}`)
    }
    const name = decoder.decode(directory.subarray(at + 46, at + 46 + nameLength))
    let compressedSize = data.getUint32(at + 20, true)
    let size = data.getUint32(at + 24, true)
    let localHeaderOffset = data.getUint32(at + 42, true)
    if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      // Zip64 values come in this order, each only when its 32-bit field says 0xffffffff.
      const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength)
      const wide = zip64Field(extra, name)
      if (size === 0xffffffff) size = wide.next()
      if (compressedSize === 0xffffffff) compressedSize = wide.next()
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = wide.next()
    }
    entries.push({
      name,
      flags: data.getUint16(at + 8, true),
      method: data.getUint16(at + 10, true),
      crc32: data.getUint32(at + 16, true),
      compressedSize,
      size,
      localHeaderOffset
    })
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/** Reads the 64-bit values of an entry's zip64 extra field one after another. */
function zip64Field(extra: Uint8Array, name: string): { next(): number } {
  const data = view(extra)
  for (let at = 0; at + 4 <= extra.byteLength; at += 4 + data.getUint16(at + 2, true)) {
    if (data.getUint16(at, true) !== ZIP64_EXTRA) continue
    const end = at + 4 + data.getUint16(at + 2, true)
    let p = at + 4
    return {
      next: () => {
        if (p + 8 > end || p + 8 > extra.byteLength) throw new ZipDamage(`is damaged: the zip64 sizes of ${name} are cut short`)
        const value = u64(data, p)
        p += 8
        return value
      }
    }
  }
  throw new ZipDamage(`is damaged: ${name} says it has zip64 sizes but has none`)
}

/** Where an entry's data starts, from its 30-byte local header (which must be at the entry's offset). */
export function dataStart(localHeader: Uint8Array, entry: ZipEntry): number {
  const data = view(localHeader)
  if (localHeader.byteLength < 30 || data.getUint32(0, true) !== LOCAL_HEADER) {
    throw new ZipDamage(`is damaged: the data of ${entry.name} is not where its directory says`)
  }
  return entry.localHeaderOffset + 30 + data.getUint16(26, true) + data.getUint16(28, true)
}
