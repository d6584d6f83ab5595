/**
 * Tensors as the model readers hand them on: a shape (row-major, C order, as PyTorch and numpy keep them) and
 * the values as float32, whatever the file stored (half, bfloat16 and double are converted; integers such as
 * BatchNorm's num_batches_tracked come through as numbers). What a writer takes: raw little-endian bytes of
 * float32 or int64.
 */

export type TensorDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool'

export const DTYPE_BYTES: Readonly<Record<TensorDtype, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1
}

export interface StoredTensor {
  /** The dtype in the file (the values are float32 whatever it is). */
  readonly dtype: TensorDtype
  readonly shape: readonly number[]
  readonly values: Float32Array
}

/** A tensor to write: float32 weights, or int64 counters (num_batches_tracked). */
export interface WritableTensor {
  readonly dtype: 'float32' | 'int64'
  readonly shape: readonly number[]
  /** The values' bytes, little-endian, row-major. */
  readonly bytes: Uint8Array
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1)
}

export function float32Tensor(shape: readonly number[], values: Float32Array): WritableTensor {
  if (values.length !== numel(shape)) throw new Error(`float32Tensor: ${values.length} values for shape [${shape.join(', ')}]`)
  return { dtype: 'float32', shape, bytes: littleEndianFloat32(values) }
}

export function int64Scalar(value: number): WritableTensor {
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setBigInt64(0, BigInt(Math.trunc(value)), true)
  return { dtype: 'int64', shape: [], bytes }
}

export function littleEndianFloat32(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true)
  return bytes
}

/** `count` values of `dtype` from little-endian bytes, as float32 (element `first` onwards). */
export function decodeValues(bytes: Uint8Array, dtype: TensorDtype, count: number, first = 0): Float32Array {
  const size = DTYPE_BYTES[dtype]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float32Array(count)
  const base = first * size
  for (let i = 0; i < count; i++) out[i] = readOne(view, base + i * size, dtype)
  return out
}

/** One element; `at` is a byte offset into the view. */
export function readOne(view: DataView, at: number, dtype: TensorDtype): number {
  switch (dtype) {
    case 'float32':
      return view.getFloat32(at, true)
    case 'float64':
      return view.getFloat64(at, true)
    case 'float16':
      return halfToFloat(view.getUint16(at, true))
    case 'bfloat16':
      return bfloat16ToFloat(view.getUint16(at, true))
    case 'int64':
      return Number(view.getBigInt64(at, true))
    case 'int32':
      return view.getInt32(at, true)
    case 'int16':
      return view.getInt16(at, true)
    case 'int8':
      return view.getInt8(at)
    case 'uint8':
      return view.getUint8(at)
    case 'bool':
      return view.getUint8(at) ? 1 : 0
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exponent = (h >> 10) & 0x1f
  const fraction = h & 0x3ff
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}

const bf16View = new DataView(new ArrayBuffer(4))
function bfloat16ToFloat(b: number): number {
  bf16View.setUint32(0, b << 16, false)
  return bf16View.getFloat32(0, false)
}
