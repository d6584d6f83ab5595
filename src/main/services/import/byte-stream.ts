import { createReadStream } from 'node:fs'
import { pipeline, Readable, type Transform } from 'node:stream'

/**
 * Exact-length reads from a stream (a file, a range of one, or what a decompressor makes of it): the array
 * importers read headers and records of known sizes, and a short read means a truncated file. A read error
 * (a damaged gzip or zlib stream, an I/O error) is turned into the caller's message by `describeError`.
 */
export class ByteStream {
  private readonly chunks: Buffer[] = []
  private readonly iterator: AsyncIterator<Buffer>
  private buffered = 0
  private ended = false
  /** Bytes handed out so far. */
  position = 0

  constructor(
    private readonly stream: Readable,
    private readonly describeError: (error: Error) => Error
  ) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  }

  /** Bytes `start` to `end` (exclusive) of a file, optionally through a decompressor. */
  static ofFile(file: string, options: { start?: number; end?: number; through?: Transform }, describeError: (error: Error) => Error): ByteStream {
    const start = options.start ?? 0
    // createReadStream's `end` is inclusive, so it cannot say "nothing".
    const raw: Readable =
      options.end === undefined
        ? createReadStream(file, { start })
        : options.end > start
          ? createReadStream(file, { start, end: options.end - 1 })
          : Readable.from([])
    // pipeline() forwards a read error to the decompressor, so the iterator sees it.
    const stream: Readable = options.through ? pipeline(raw, options.through, () => undefined) : raw
    return new ByteStream(stream, describeError)
  }

  /** Up to `n` bytes; fewer only at the end of the stream. */
  async take(n: number): Promise<Buffer> {
    while (this.buffered < n && !this.ended) {
      let next: IteratorResult<Buffer>
      try {
        next = await this.iterator.next()
      } catch (error) {
        throw this.describeError(error as Error)
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
    this.position += out.length
    return out
  }

  /** Whether anything is left to read. */
  async atEnd(): Promise<boolean> {
    if (this.buffered > 0) return false
    const next = await this.take(1)
    if (next.length === 0) return true
    // Put the byte back: atEnd only looks.
    this.chunks.unshift(next)
    this.buffered += 1
    this.position -= 1
    return false
  }

  close(): void {
    this.stream.destroy()
  }
}
