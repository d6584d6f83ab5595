/**
 * A model file the studio will not read: not the format it claims, damaged, hostile, or a network other than a
 * DCGAN. `file` is the path (or the name inside an archive) it is about; the message says what was found and
 * what was expected, for the person who chose the file.
 */
export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'ModelFileError'
  }
}

/** The largest model file read (a 128 px DCGAN 512 wide is far smaller); more is refused before reading. */
export const MAX_MODEL_FILE_BYTES = 2 * 1024 ** 3

/** Little-endian reads that fail with a ModelFileError instead of reading past the end. */
export class ByteReader {
  private readonly view: DataView

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    /** What the bytes are, for messages: "the zip archive", "the pickle data.pkl". */
    readonly what: string
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get length(): number {
    return this.bytes.byteLength
  }

  check(at: number, size: number): void {
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(size) || at < 0 || size < 0 || at + size > this.bytes.byteLength) {
      throw new ModelFileError(this.file, `${this.file} is damaged or cut short: ${this.what} needs bytes ${at}…${at + size} but has ${this.bytes.byteLength}.`)
    }
  }

  u8(at: number): number {
    this.check(at, 1)
    return this.view.getUint8(at)
  }

  u16(at: number): number {
    this.check(at, 2)
    return this.view.getUint16(at, true)
  }

  u32(at: number): number {
    this.check(at, 4)
    return this.view.getUint32(at, true)
  }

  i32(at: number): number {
    this.check(at, 4)
    return this.view.getInt32(at, true)
  }

  /** An unsigned 64-bit value that must fit a JavaScript number exactly (every size and offset does). */
  u64(at: number): number {
    this.check(at, 8)
    const value = this.view.getBigUint64(at, true)
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ModelFileError(this.file, `${this.file} is damaged: ${this.what} holds a size of ${value} bytes.`)
    return Number(value)
  }

  f64be(at: number): number {
    this.check(at, 8)
    return this.view.getFloat64(at, false)
  }

  slice(at: number, size: number): Uint8Array {
    this.check(at, size)
    return this.bytes.subarray(at, at + size)
  }
}
