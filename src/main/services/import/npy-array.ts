import * as path from 'node:path'
import { ByteStream } from './byte-stream'
import { ImportError } from './import-error'
import { listZipEntries, openZipEntry, type ZipEntry } from './zip-entries'

/**
 * numpy arrays as np.save writes them (.npy: a magic string, a version, a Python dict literal saying dtype,
 * order and shape, then the raw elements) and as np.savez / np.savez_compressed bundle them (.npz: a zip of
 * .npy files named for their keys). Numeric dtypes only; the elements are streamed.
 */

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])
/** numpy pads headers to 64 bytes; far less than this even with many dimensions. */
const HEADER_MAX = 64 * 1024

export interface NpyHeader {
  /** 'u1', '<f4', …, as numpy's descr says it (for messages). */
  dtype: string
  kind: 'u' | 'i' | 'f'
  bytes: number
  littleEndian: boolean
  fortranOrder: boolean
  shape: number[]
}

/** One array: a .npy file or a key of an .npz. */
export interface NpyArray {
  /** 'x_train' in an .npz, or the file name of a .npy. */
  key: string
  header: NpyHeader
  /** The elements, from the first. */
  open(): Promise<ByteStream>
}

export function describeArray(a: NpyArray): string {
  return `${a.key} (${a.header.shape.join('×') || 'scalar'} ${a.header.dtype})`
}

/** The arrays of a .npy file (one) or an .npz archive (each of its .npy entries). */
export async function readNpyArrays(file: string): Promise<NpyArray[]> {
  const isZip = await startsWithZip(file)
  if (!isZip) {
    const what = 'numpy file'
    const stream = ByteStream.ofFile(file, {}, (e) => invalid(file, what, `cannot be read (${e.message})`))
    let header: NpyHeader
    let offset: number
    try {
      ;({ header, offset } = await readHeader(stream, file, what))
    } finally {
      stream.close()
    }
    return [
      {
        key: path.basename(file),
        header,
        open: () => Promise.resolve(ByteStream.ofFile(file, { start: offset }, (e) => invalid(file, what, `cannot be read (${e.message})`)))
      }
    ]
  }
  const what = 'numpy archive'
  const entries = (await listZipEntries(file, what)).filter((e) => e.name.endsWith('.npy'))
  const arrays: NpyArray[] = []
  for (const entry of entries) {
    const stream = await openZipEntry(file, what, entry)
    let header: NpyHeader
    let offset: number
    try {
      ;({ header, offset } = await readHeader(stream, `${file}:${entry.name}`, 'array'))
    } finally {
      stream.close()
    }
    arrays.push({ key: entry.name.replace(/\.npy$/, ''), header, open: () => openAfter(file, what, entry, offset) })
  }
  return arrays
}

async function openAfter(file: string, what: string, entry: ZipEntry, offset: number): Promise<ByteStream> {
  const stream = await openZipEntry(file, what, entry)
  await stream.take(offset)
  return stream
}

async function startsWithZip(file: string): Promise<boolean> {
  const stream = ByteStream.ofFile(file, { end: 4 }, (e) => invalid(file, 'numpy file', `cannot be read (${e.message})`))
  try {
    const head = await stream.take(4)
    return head.length === 4 && head.readUInt32LE(0) === 0x04034b50
  } finally {
    stream.close()
  }
}

async function readHeader(stream: ByteStream, name: string, what: string): Promise<{ header: NpyHeader; offset: number }> {
  const start = await stream.take(10)
  if (start.length < 10 || !start.subarray(0, 6).equals(MAGIC)) throw invalid(name, what, 'is not a numpy .npy array (it does not start with \\x93NUMPY)')
  const major = start[6]!
  let length: number
  let offset: number
  if (major === 1) {
    length = start.readUInt16LE(8)
    offset = 10
  } else if (major === 2 || major === 3) {
    const more = await stream.take(2)
    length = Buffer.concat([start.subarray(8), more]).readUInt32LE(0)
    offset = 12
  } else {
    throw invalid(name, what, `is a .npy of format version ${major}, which is not read (versions 1–3 are)`)
  }
  if (length > HEADER_MAX) throw invalid(name, what, 'has a damaged header')
  const text = (await stream.take(length)).toString('latin1')
  const descr = /'descr':\s*'([<>|=]?)([a-zA-Z])(\d+)'/.exec(text)
  const order = /'fortran_order':\s*(True|False)/.exec(text)
  const shape = /'shape':\s*\(([^)]*)\)/.exec(text)
  if (!descr || !order || !shape) {
    const found = /'descr':\s*([^,]+\]|[^,]+)/.exec(text)?.[1]
    throw invalid(name, what, found ? `holds elements of dtype ${found.trim()}, not plain numbers (uint8, ints or floats)` : 'has a damaged header')
  }
  const [, endian, kind, size] = descr
  const dtype = `${endian}${kind}${size}`
  if (!(['u', 'i', 'f'] as const).includes(kind as 'u') || ![1, 2, 4, 8].includes(Number(size)) || dtype.endsWith('f1') || dtype.endsWith('f2')) {
    throw invalid(name, what, `holds elements of dtype ${dtype}; images are read from uint8, other integer, float32 or float64 arrays`)
  }
  const dims = shape[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number)
  return {
    header: { dtype, kind: kind as NpyHeader['kind'], bytes: Number(size), littleEndian: endian !== '>', fortranOrder: order[1] === 'True', shape: dims },
    offset: offset + length
  }
}

/** A reader of one element at a byte offset, as a number. */
export function elementReader(header: NpyHeader): (buf: Buffer, at: number) => number {
  const le = header.littleEndian
  switch (`${header.kind}${header.bytes}`) {
    case 'u1':
      return (b, at) => b[at]!
    case 'i1':
      return (b, at) => b.readInt8(at)
    case 'u2':
      return le ? (b, at) => b.readUInt16LE(at) : (b, at) => b.readUInt16BE(at)
    case 'i2':
      return le ? (b, at) => b.readInt16LE(at) : (b, at) => b.readInt16BE(at)
    case 'u4':
      return le ? (b, at) => b.readUInt32LE(at) : (b, at) => b.readUInt32BE(at)
    case 'i4':
      return le ? (b, at) => b.readInt32LE(at) : (b, at) => b.readInt32BE(at)
    case 'u8':
      return le ? (b, at) => Number(b.readBigUInt64LE(at)) : (b, at) => Number(b.readBigUInt64BE(at))
    case 'i8':
      return le ? (b, at) => Number(b.readBigInt64LE(at)) : (b, at) => Number(b.readBigInt64BE(at))
    case 'f4':
      return le ? (b, at) => b.readFloatLE(at) : (b, at) => b.readFloatBE(at)
    default:
      return le ? (b, at) => b.readDoubleLE(at) : (b, at) => b.readDoubleBE(at)
  }
}

function invalid(file: string, what: string, message: string): ImportError {
  return new ImportError('FILE_INVALID', `The ${what} ${file} ${message}.`)
}
