import * as fs from 'node:fs/promises'
import { createGunzip } from 'node:zlib'
import { ByteStream } from './byte-stream'
import { ImportError } from './import-error'
import { checkSourceFile } from './source-file'

/** IDX data type 0x08: unsigned bytes, the only type image and label files use. */
const IDX_UBYTE = 0x08
const GZIP_MAGIC = [0x1f, 0x8b]
/** Far beyond MNIST-like data (28 px); a header claiming more is corrupt, not a big dataset. */
const MAX_SIDE = 4096

export type IdxKind = 'images' | 'labels'

/**
 * An IDX file (the MNIST family's format: a big-endian header of magic + dimensions, then raw bytes), read as
 * a stream, gzipped or not. The header is checked when it is opened; the data's length is checked as it is
 * read, so a truncated or padded file is reported with what the header promised and what was found.
 */
export class IdxFile {
  /** dims[0] is the item count; images add rows and columns. */
  dims: number[] = []
  private dataStart = 0

  private constructor(
    readonly file: string,
    readonly kind: IdxKind,
    private readonly bytes: ByteStream
  ) {}

  static async open(file: string, kind: IdxKind): Promise<IdxFile> {
    await checkIdxPath(file, kind)
    const gzipped = await startsWith(file, GZIP_MAGIC)
    const bytes = ByteStream.ofFile(file, gzipped ? { through: createGunzip() } : {}, (error) =>
      idxInvalid(file, kind, `cannot be read: ${error.message}. It may be truncated or not really gzipped; download it again`)
    )
    const idx = new IdxFile(file, kind, bytes)
    try {
      await idx.readHeader()
    } catch (error) {
      idx.close()
      throw error
    }
    return idx
  }

  get count(): number {
    return this.dims[0]!
  }

  /** Bytes of one item: rows × columns for images, 1 for labels. */
  get itemBytes(): number {
    return this.dims.slice(1).reduce((a, b) => a * b, 1)
  }

  /** Reads exactly `n` bytes of data, or fails saying the file is truncated. */
  async read(n: number): Promise<Buffer> {
    const bytes = await this.bytes.take(n)
    if (bytes.length < n) {
      const expected = this.count * this.itemBytes
      throw this.invalid(
        `is truncated: its header promises ${this.describe()} (${expected.toLocaleString('en-US')} bytes of data) ` +
          `but the data ends after ${(this.bytes.position - this.dataStart).toLocaleString('en-US')} bytes`
      )
    }
    return bytes
  }

  /** After reading every item: fails if the file holds more than its header says. */
  async expectEnd(): Promise<void> {
    if (!(await this.bytes.atEnd())) throw this.invalid(`holds more data than the ${this.describe()} its header describes; the header or the file is damaged`)
  }

  close(): void {
    this.bytes.close()
  }

  private async readHeader(): Promise<void> {
    const magic = await this.bytes.take(4)
    if (magic.length < 4) throw this.invalid('is too short to be an IDX file')
    if (magic[0] !== 0 || magic[1] !== 0) {
      throw this.invalid(`is not an IDX file (it starts with ${[...magic].map((b) => b.toString(16).padStart(2, '0')).join(' ')}, not 00 00)`)
    }
    if (magic[2] !== IDX_UBYTE) {
      throw this.invalid(`holds IDX data of type 0x${magic[2]!.toString(16)}; only unsigned bytes (0x08) are supported`)
    }
    const rank = magic[3]!
    const wanted = this.kind === 'images' ? 3 : 1
    if (rank !== wanted) {
      const hint =
        this.kind === 'images' && rank === 1 ? '. It looks like a labels file' : this.kind === 'labels' && rank === 3 ? '. It looks like an images file' : ''
      throw this.invalid(
        `has ${rank} dimension(s); an IDX ${this.kind} file has ${wanted} (${this.kind === 'images' ? 'count, rows, columns' : 'count'})${hint}`
      )
    }
    const dimBytes = await this.bytes.take(rank * 4)
    if (dimBytes.length < rank * 4) throw this.invalid('ends inside its header')
    this.dims = Array.from({ length: rank }, (_, i) => dimBytes.readUInt32BE(i * 4))
    this.dataStart = this.bytes.position
    if (this.count === 0) throw this.invalid(`says it holds no ${this.kind}`)
    if (this.kind === 'images') {
      const [, rows, cols] = this.dims as [number, number, number]
      if (rows === 0 || cols === 0 || rows > MAX_SIDE || cols > MAX_SIDE) throw this.invalid(`has impossible image dimensions ${rows}×${cols}`)
      if (rows !== cols) throw this.invalid(`holds ${rows}×${cols} images; only square images can be imported`)
    }
  }

  private describe(): string {
    return this.kind === 'images'
      ? `${this.count.toLocaleString('en-US')} images of ${this.dims[1]}×${this.dims[2]}`
      : `${this.count.toLocaleString('en-US')} labels`
  }

  private invalid(what: string): ImportError {
    return idxInvalid(this.file, this.kind, what)
  }
}

function idxInvalid(file: string, kind: IdxKind, what: string): ImportError {
  return new ImportError('IDX_INVALID', `The IDX ${kind} file ${file} ${what}.`)
}

/** The path names a regular file, or the error says what it names instead (a folder: its IDX files are listed). */
export async function checkIdxPath(file: string, kind: IdxKind): Promise<void> {
  const example = `train-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte.gz`
  await checkSourceFile(file, { what: `IDX ${kind} file`, example, examplePath: `/usr/share/datasets/fashion-mnist/${example}`, names: /idx\d-ubyte/ })
}

async function startsWith(file: string, signature: readonly number[]): Promise<boolean> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be opened (${code ?? (error as Error).message})`
    throw new ImportError(
      code === 'ENOENT' ? 'SOURCE_NOT_FOUND' : 'SOURCE_UNREADABLE',
      `The IDX file ${file} ${why}. Check the path (e.g. .../train-images-idx3-ubyte.gz).`
    )
  }
  try {
    const head = Buffer.alloc(signature.length)
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    return bytesRead === signature.length && signature.every((b, i) => head[i] === b)
  } finally {
    await handle.close()
  }
}
