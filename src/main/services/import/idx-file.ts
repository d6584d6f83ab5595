import { createReadStream } from 'node:fs'
import * as fs from 'node:fs/promises'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { ImportError } from './import-error'

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
  private readonly chunks: Buffer[] = []
  private buffered = 0
  private ended = false
  private dataRead = 0

  private constructor(
    readonly file: string,
    readonly kind: IdxKind,
    private readonly stream: Readable,
    private readonly iterator: AsyncIterator<Buffer>,
    /** dims[0] is the item count; images add rows and columns. */
    public dims: number[] = []
  ) {}

  static async open(file: string, kind: IdxKind): Promise<IdxFile> {
    await checkIdxPath(file, kind)
    const gzipped = await startsWith(file, GZIP_MAGIC)
    const raw = createReadStream(file)
    // pipeline() forwards a read error to the gunzip stream, so the iterator below sees it.
    const stream: Readable = gzipped ? pipeline(raw, createGunzip(), () => undefined) : raw
    const idx = new IdxFile(file, kind, stream, stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>)
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
    const bytes = await this.take(n)
    if (bytes.length < n) {
      const expected = this.count * this.itemBytes
      throw this.invalid(
        `is truncated: its header promises ${this.describe()} (${expected.toLocaleString('en-US')} bytes of data) ` +
          `but the data ends after ${this.dataRead.toLocaleString('en-US')} bytes`
      )
    }
    return bytes
  }

  /** After reading every item: fails if the file holds more than its header says. */
  async expectEnd(): Promise<void> {
    const extra = await this.take(1)
    if (extra.length > 0) throw this.invalid(`holds more data than the ${this.describe()} its header describes; the header or the file is damaged`)
  }

  close(): void {
    this.stream.destroy()
  }

  private async readHeader(): Promise<void> {
    const magic = await this.take(4)
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
      const hint = this.kind === 'images' && rank === 1 ? '. It looks like a labels file' : this.kind === 'labels' && rank === 3 ? '. It looks like an images file' : ''
      throw this.invalid(`has ${rank} dimension(s); an IDX ${this.kind} file has ${wanted} (${this.kind === 'images' ? 'count, rows, columns' : 'count'})${hint}`)
    }
    const dimBytes = await this.take(rank * 4)
    if (dimBytes.length < rank * 4) throw this.invalid('ends inside its header')
    this.dims = Array.from({ length: rank }, (_, i) => dimBytes.readUInt32BE(i * 4))
    this.dataRead = 0
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

  /** Up to `n` bytes; fewer only at the end of the data. */
  private async take(n: number): Promise<Buffer> {
    while (this.buffered < n && !this.ended) {
      let next: IteratorResult<Buffer>
      try {
        next = await this.iterator.next()
      } catch (error) {
        throw this.invalid(`cannot be read: ${(error as Error).message}. It may be truncated or not really gzipped; download it again`)
      }
      if (next.done) {
        this.ended = true
      } else {
        this.chunks.push(next.value)
        this.buffered += next.value.length
      }
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)
    const out = all.subarray(0, Math.min(n, all.length))
    const rest = all.subarray(out.length)
    this.chunks.length = 0
    if (rest.length > 0) this.chunks.push(rest)
    this.buffered = rest.length
    this.dataRead += out.length
    return out
  }

  private invalid(what: string): ImportError {
    return new ImportError('IDX_INVALID', `The IDX ${this.kind} file ${this.file} ${what}.`)
  }
}

/**
 * The path names a regular file, or the error says what it names instead and which file to choose: a folder
 * (e.g. /usr/share/datasets/fashion-mnist) is the usual slip, and its IDX files are listed.
 */
export async function checkIdxPath(file: string, kind: IdxKind): Promise<void> {
  let info
  try {
    info = await fs.stat(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw new ImportError('SOURCE_NOT_FOUND', `The IDX ${kind} file ${file} does not exist. Check the path (e.g. /usr/share/datasets/fashion-mnist/train-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte.gz).`)
    }
    throw new ImportError('SOURCE_UNREADABLE', `The IDX ${kind} file ${file} cannot be opened (${code ?? (error as Error).message}).`)
  }
  if (info.isFile()) return
  const example = `train-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte.gz`
  if (info.isDirectory()) {
    const inside = (await fs.readdir(file).catch(() => [] as string[])).filter((name) => /idx\d-ubyte/.test(name)).sort()
    const listed = inside.length > 0 ? ` It holds ${inside.slice(0, 6).join(', ')}${inside.length > 6 ? ', …' : ''}.` : ''
    throw new ImportError('SOURCE_NOT_A_FILE', `${file} is a folder; choose the IDX ${kind} file in it (e.g. ${example}).${listed}`)
  }
  throw new ImportError('SOURCE_NOT_A_FILE', `${file} is not a regular file; choose the IDX ${kind} file itself (e.g. ${example}).`)
}

async function startsWith(file: string, signature: readonly number[]): Promise<boolean> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be opened (${code ?? (error as Error).message})`
    throw new ImportError(code === 'ENOENT' ? 'SOURCE_NOT_FOUND' : 'SOURCE_UNREADABLE', `The IDX file ${file} ${why}. Check the path (e.g. .../train-images-idx3-ubyte.gz).`)
  }
  try {
    const head = Buffer.alloc(signature.length)
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    return bytesRead === signature.length && signature.every((b, i) => head[i] === b)
  } finally {
    await handle.close()
  }
}
