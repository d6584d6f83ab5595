import { z } from 'zod'
import { ByteReader, ModelFileError } from './model-file-error'
import { DTYPE_BYTES, type StoredTensor, type TensorDtype, type WritableTensor, decodeValues, numel } from './tensor'

/**
 * safetensors (huggingface/safetensors): an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the tensors' raw little-endian bytes. Reading checks that every
 * range lies inside the file, fits its shape and dtype, and that the ranges cover the data without holes or
 * overlaps, as the format requires; nothing else in the file is interpreted.
 */

/** The format's own limit on the header (100 MB); a DCGAN's is a few KB. */
const MAX_HEADER_BYTES = 100_000_000

const DTYPES: Readonly<Record<string, TensorDtype>> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool'
}

const Entry = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().min(0)).max(8),
  data_offsets: z.tuple([z.number().int().min(0), z.number().int().min(0)])
})

export interface SafetensorsFile {
  readonly tensors: ReadonlyMap<string, StoredTensor>
  /** The header's `__metadata__` (string to string), empty when it has none. */
  readonly metadata: Readonly<Record<string, string>>
}

/** Whether the bytes start like a safetensors file: a plausible header length, then '{'. */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 10) return false
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)
  return length > 1n && length <= BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - 8)) && bytes[8] === 0x7b
}

export function readSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  const reader = new ByteReader(bytes, file, 'the safetensors header')
  const headerLength = reader.u64(0)
  if (headerLength > MAX_HEADER_BYTES) throw new ModelFileError(file, `${file} is not a safetensors file: its header would be ${headerLength} bytes long.`)
  let header: unknown
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(reader.slice(8, headerLength)))
  } catch (error) {
    throw new ModelFileError(file, `${file} is not a safetensors file: its header is not JSON (${(error as Error).message}).`, { cause: error })
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new ModelFileError(file, `${file} is not a safetensors file: its header is not a JSON object.`)
  const data = bytes.subarray(8 + headerLength)
  const tensors = new Map<string, StoredTensor>()
  let metadata: Record<string, string> = {}
  const ranges: { name: string; start: number; end: number }[] = []
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      const parsed = z.record(z.string(), z.string()).safeParse(raw)
      if (!parsed.success) throw new ModelFileError(file, `${file}: its __metadata__ must map strings to strings.`)
      metadata = parsed.data
      continue
    }
    const parsed = Entry.safeParse(raw)
    if (!parsed.success) throw new ModelFileError(file, `${file}: the header entry of "${name}" is not {dtype, shape, data_offsets}.`)
    const {
      dtype: code,
      shape,
      data_offsets: [start, end]
    } = parsed.data
    const dtype = DTYPES[code]
    if (!dtype) throw new ModelFileError(file, `${file}: "${name}" has dtype ${code}; ${Object.keys(DTYPES).join(', ')} are read.`)
    const count = numel(shape)
    if (end < start || end > data.byteLength || end - start !== count * DTYPE_BYTES[dtype]) {
      throw new ModelFileError(file, `${file} is damaged: "${name}" ([${shape.join(', ')}] ${code}) claims bytes ${start}…${end} of ${data.byteLength}.`)
    }
    ranges.push({ name, start, end })
    tensors.set(name, { dtype, shape, values: decodeValues(data.subarray(start, end), dtype, count) })
  }
  ranges.sort((a, b) => a.start - b.start)
  let covered = 0
  for (const range of ranges) {
    if (range.start !== covered)
      throw new ModelFileError(file, `${file} is damaged: its tensors' bytes ${range.start < covered ? 'overlap' : 'leave a gap'} at "${range.name}".`)
    covered = range.end
  }
  if (covered !== data.byteLength)
    throw new ModelFileError(file, `${file} is damaged: ${data.byteLength - covered} bytes after the last tensor belong to none.`)
  return { tensors, metadata }
}

/** A safetensors file of the tensors in the given order, the header padded with spaces to 8 bytes. */
export function writeSafetensors(entries: readonly (readonly [string, WritableTensor])[], metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {}
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata
  let offset = 0
  for (const [name, tensor] of entries) {
    header[name] = { dtype: tensor.dtype === 'float32' ? 'F32' : 'I64', shape: tensor.shape, data_offsets: [offset, offset + tensor.bytes.byteLength] }
    offset += tensor.bytes.byteLength
  }
  let json = JSON.stringify(header)
  const encoder = new TextEncoder()
  while ((encoder.encode(json).byteLength + 8) % 8 !== 0) json += ' '
  const headerBytes = encoder.encode(json)
  const out = new Uint8Array(8 + headerBytes.byteLength + offset)
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true)
  out.set(headerBytes, 8)
  let at = 8 + headerBytes.byteLength
  for (const [, tensor] of entries) {
    out.set(tensor.bytes, at)
    at += tensor.bytes.byteLength
  }
  return out
}
