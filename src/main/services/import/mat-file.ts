import * as fs from 'node:fs/promises'
import { createInflate } from 'node:zlib'
import { ByteStream } from './byte-stream'
import { ImportError } from './import-error'

/**
 * MATLAB level 5 MAT-files (MATLAB's -v6/-v7 and what scipy.io.savemat writes): a 128-byte text header, then
 * one data element per variable, each either a plain miMATRIX or an miCOMPRESSED (zlib) element holding one.
 * Only numeric arrays are described; their data is streamed, never loaded whole (SVHN's X is 235 MB), so a
 * compressed variable is inflated again from its start when its data is read.
 */

const HEADER_BYTES = 128
const MI_MATRIX = 14
const MI_COMPRESSED = 15
const MI_INT32 = 5
const MI_UINT32 = 6
const MI_INT8 = 1
/** Array flags, dimensions and name: far less than this for any name MATLAB allows (63 characters). */
const MATRIX_HEADER_MAX = 4096

/** Bytes per element of each numeric data type (miINT8 … miUINT64), with its name. */
const DATA_TYPES: Record<number, { bytes: number; name: string }> = {
  1: { bytes: 1, name: 'int8' },
  2: { bytes: 1, name: 'uint8' },
  3: { bytes: 2, name: 'int16' },
  4: { bytes: 2, name: 'uint16' },
  5: { bytes: 4, name: 'int32' },
  6: { bytes: 4, name: 'uint32' },
  7: { bytes: 4, name: 'single' },
  9: { bytes: 8, name: 'double' },
  12: { bytes: 8, name: 'int64' },
  13: { bytes: 8, name: 'uint64' }
}
export const MI_UINT8 = 2
/** mxCLASS ids 6 … 15 are the numeric arrays; the others (cells, structs, chars, sparse, objects) are not read. */
const CLASS_NAMES: Record<number, string> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  4: 'char',
  5: 'sparse',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
  16: 'function'
}

export interface MatVariable {
  name: string
  /** MATLAB's dimensions, first fastest (column-major). */
  dims: number[]
  /** 'uint8', 'double', 'cell', … */
  className: string
  numeric: boolean
  complex: boolean
  /** How the real part is stored (MATLAB may store a double array as bytes); null for non-numeric arrays. */
  dataType: number | null
  dataBytes: number
  /** Where the real part's data starts: in the file, or in the inflated element. */
  dataOffset: number
  compressed: { start: number; end: number } | null
}

export class MatFile {
  private constructor(
    readonly file: string,
    readonly littleEndian: boolean,
    readonly variables: MatVariable[]
  ) {}

  static async open(file: string): Promise<MatFile> {
    const handle = await fs.open(file, 'r')
    try {
      const { size } = await handle.stat()
      const header = Buffer.alloc(HEADER_BYTES)
      const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0)
      const text = header.toString('latin1', 0, 116)
      if (text.startsWith('MATLAB 7.3')) {
        throw invalid(file, "is a MATLAB 7.3 (HDF5) file, which is not read; save it again with MATLAB's save -v7 or with scipy.io.savemat")
      }
      if (bytesRead < HEADER_BYTES || !text.startsWith('MATLAB 5.0 MAT-file'))
        throw invalid(file, 'is not a MATLAB 5 MAT-file (it does not start with "MATLAB 5.0 MAT-file")')
      const endian = header.toString('latin1', 126, 128)
      if (endian !== 'IM' && endian !== 'MI') throw invalid(file, `has a damaged MAT-file header (byte order "${endian}", not IM or MI)`)
      const mat = new MatFile(file, endian === 'IM', [])
      let offset = HEADER_BYTES
      while (offset + 8 <= size) {
        const tag = Buffer.alloc(8)
        await handle.read(tag, 0, 8, offset)
        const type = mat.u32(tag, 0)
        const bytes = mat.u32(tag, 4)
        const start = offset + 8
        if (start + bytes > size)
          throw invalid(
            file,
            `is truncated: a variable at byte ${offset.toLocaleString('en-US')} needs ${bytes.toLocaleString('en-US')} bytes but the file ends first`
          )
        if (type === MI_MATRIX) {
          const head = Buffer.alloc(Math.min(bytes, MATRIX_HEADER_MAX))
          await handle.read(head, 0, head.length, start)
          mat.variables.push(mat.describe(head, bytes, start, null))
          offset = start + pad8(bytes)
        } else if (type === MI_COMPRESSED) {
          const inflated = mat.inflate({ start, end: start + bytes })
          let head: Buffer
          try {
            head = await inflated.take(8 + MATRIX_HEADER_MAX)
          } finally {
            inflated.close()
          }
          if (head.length < 8 || mat.u32(head, 0) !== MI_MATRIX)
            throw invalid(file, `holds a compressed element at byte ${offset.toLocaleString('en-US')} that is not a MATLAB array`)
          mat.variables.push(mat.describe(head.subarray(8), mat.u32(head, 4), 8, { start, end: start + bytes }))
          // Compressed elements are not padded.
          offset = start + bytes
        } else {
          throw invalid(
            file,
            `holds a data element of type ${type} at byte ${offset.toLocaleString('en-US')} where a variable should start; it is damaged or not a MAT-file`
          )
        }
      }
      return mat
    } finally {
      await handle.close()
    }
  }

  variable(name: string): MatVariable | undefined {
    return this.variables.find((v) => v.name === name)
  }

  /** "X (32×32×3×10 uint8), y (10×1 double)", for messages. */
  listing(): string {
    return this.variables.length === 0 ? 'no variables' : this.variables.map((v) => `${v.name} (${v.dims.join('×')} ${v.className})`).join(', ')
  }

  /** The real part of a numeric variable, streamed from its first byte. */
  async openData(v: MatVariable): Promise<ByteStream> {
    if (!v.compressed) return ByteStream.ofFile(this.file, { start: v.dataOffset, end: v.dataOffset + v.dataBytes }, (e) => this.unreadable(e))
    const stream = this.inflate(v.compressed)
    const skipped = await stream.take(v.dataOffset)
    if (skipped.length < v.dataOffset) throw invalid(this.file, `is truncated inside the variable ${v.name}`)
    return stream
  }

  /** A small numeric variable (labels) as numbers. */
  async readNumbers(v: MatVariable, maxBytes: number): Promise<number[]> {
    const type = v.dataType === null ? undefined : DATA_TYPES[v.dataType]
    if (!type) throw invalid(this.file, `stores ${v.name} as ${v.className}, not as numbers`)
    if (v.dataBytes > maxBytes) throw invalid(this.file, `has a ${v.name} of ${v.dataBytes.toLocaleString('en-US')} bytes, far more than it should hold`)
    const stream = await this.openData(v)
    let raw: Buffer
    try {
      raw = await stream.take(v.dataBytes)
    } finally {
      stream.close()
    }
    if (raw.length < v.dataBytes) throw invalid(this.file, `is truncated inside the variable ${v.name}`)
    const n = v.dataBytes / type.bytes
    const le = this.littleEndian
    const read: (at: number) => number = {
      1: (at: number) => raw.readInt8(at),
      2: (at: number) => raw.readUInt8(at),
      3: (at: number) => (le ? raw.readInt16LE(at) : raw.readInt16BE(at)),
      4: (at: number) => (le ? raw.readUInt16LE(at) : raw.readUInt16BE(at)),
      5: (at: number) => (le ? raw.readInt32LE(at) : raw.readInt32BE(at)),
      6: (at: number) => (le ? raw.readUInt32LE(at) : raw.readUInt32BE(at)),
      7: (at: number) => (le ? raw.readFloatLE(at) : raw.readFloatBE(at)),
      9: (at: number) => (le ? raw.readDoubleLE(at) : raw.readDoubleBE(at)),
      12: (at: number) => Number(le ? raw.readBigInt64LE(at) : raw.readBigInt64BE(at)),
      13: (at: number) => Number(le ? raw.readBigUInt64LE(at) : raw.readBigUInt64BE(at))
    }[v.dataType!]!
    return Array.from({ length: n }, (_, i) => read(i * type.bytes))
  }

  private describe(head: Buffer, matrixBytes: number, base: number, compressed: MatVariable['compressed']): MatVariable {
    const damaged = (): ImportError => invalid(this.file, 'has a damaged variable header')
    const flags = this.tag(head, 0)
    if (flags.type !== MI_UINT32 || flags.bytes !== 8) throw damaged()
    const flagWord = this.u32(head, flags.dataAt)
    const classId = flagWord & 0xff
    const dimsTag = this.tag(head, flags.next)
    if (dimsTag.type !== MI_INT32 || dimsTag.bytes % 4 !== 0 || dimsTag.next > head.length) throw damaged()
    const dims = Array.from({ length: dimsTag.bytes / 4 }, (_, i) => this.u32(head, dimsTag.dataAt + 4 * i))
    const nameTag = this.tag(head, dimsTag.next)
    if (nameTag.type !== MI_INT8 || nameTag.next > head.length) throw damaged()
    const name = head.toString('latin1', nameTag.dataAt, nameTag.dataAt + nameTag.bytes)
    const className = CLASS_NAMES[classId] ?? `class ${classId}`
    const numeric = classId >= 6 && classId <= 15
    const variable: MatVariable = { name, dims, className, numeric, complex: (flagWord & 0x800) !== 0, dataType: null, dataBytes: 0, dataOffset: 0, compressed }
    if (!numeric) return variable
    const real = this.tag(head, nameTag.next)
    if (real.dataAt > head.length || !DATA_TYPES[real.type]) throw damaged()
    if (real.dataAt + real.bytes > matrixBytes) throw invalid(this.file, `says its variable ${name} is larger than it is; it is damaged`)
    return { ...variable, dataType: real.type, dataBytes: real.bytes, dataOffset: base + real.dataAt }
  }

  /** A data element's tag: the small format packs up to 4 bytes of data into the tag itself. */
  private tag(buf: Buffer, at: number): { type: number; bytes: number; dataAt: number; next: number } {
    if (at + 8 > buf.length) throw invalid(this.file, 'has a damaged variable header')
    const first = this.u32(buf, at)
    if (first >>> 16 !== 0) return { type: first & 0xffff, bytes: first >>> 16, dataAt: at + 4, next: at + 8 }
    const bytes = this.u32(buf, at + 4)
    return { type: first, bytes, dataAt: at + 8, next: at + 8 + pad8(bytes) }
  }

  private u32(buf: Buffer, at: number): number {
    return this.littleEndian ? buf.readUInt32LE(at) : buf.readUInt32BE(at)
  }

  private inflate(range: { start: number; end: number }): ByteStream {
    return ByteStream.ofFile(this.file, { ...range, through: createInflate() }, (e) => this.unreadable(e))
  }

  private unreadable(error: Error): ImportError {
    return invalid(this.file, `cannot be read: ${error.message}. It may be truncated or damaged; download it again`)
  }
}

export function dataTypeName(type: number | null): string {
  return type === null ? 'no numbers' : (DATA_TYPES[type]?.name ?? `type ${type}`)
}

function pad8(n: number): number {
  return Math.ceil(n / 8) * 8
}

function invalid(file: string, what: string): ImportError {
  return new ImportError('FILE_INVALID', `The MATLAB file ${file} ${what}.`)
}
