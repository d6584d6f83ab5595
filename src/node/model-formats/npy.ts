import { ModelFileError } from './model-file-error'
import { DTYPE_BYTES, decodeValues, numel, type StoredTensor, type TensorDtype } from './tensor'

/**
 * numpy's .npy format (numpy.lib.format): the magic "\x93NUMPY", a version, a header that is a Python dict
 * literal ({'descr': '<f4', 'fortran_order': False, 'shape': (100, 4096), }) and the raw values. Little-endian
 * numbers in C order are read; anything else (big-endian, Fortran order, objects) is refused with what it is.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]

const DESCRS: Readonly<Record<string, TensorDtype>> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<f2': 'float16',
  '<i8': 'int64',
  '<i4': 'int32',
  '<i2': 'int16',
  '|i1': 'int8',
  '|u1': 'uint8',
  '|b1': 'bool'
}

export function looksLikeNpy(bytes: Uint8Array): boolean {
  return MAGIC.every((byte, i) => bytes[i] === byte)
}

export function readNpy(bytes: Uint8Array, file: string): StoredTensor {
  if (!looksLikeNpy(bytes)) throw new ModelFileError(file, `${file} is not a numpy .npy file (it does not start with \\x93NUMPY).`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const major = bytes[6] as number
  if (major < 1 || major > 3 || bytes.byteLength < 10) throw new ModelFileError(file, `${file} is a .npy file of version ${major}, which numpy never wrote.`)
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  const start = major === 1 ? 10 : 12
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength))
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1]
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new ModelFileError(file, `${file} has a .npy header numpy does not write: ${header.trim()}`)
  const dtype = DESCRS[descr]
  if (!dtype) throw new ModelFileError(file, `${file} holds ${descr} values; the studio reads little-endian numbers (${Object.keys(DESCRS).join(', ')}).`)
  if (fortran === 'True') throw new ModelFileError(file, `${file} is in Fortran (column-major) order; save it in C order (numpy.ascontiguousarray).`)
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number)
  if (shape.some((dim) => !Number.isSafeInteger(dim) || dim < 0))
    throw new ModelFileError(file, `${file} has the shape (${shapeText}), which is not a list of sizes.`)
  const count = numel(shape)
  const data = bytes.subarray(start + headerLength)
  if (data.byteLength < count * DTYPE_BYTES[dtype]) {
    throw new ModelFileError(
      file,
      `${file} is cut short: ${data.byteLength} bytes of values where the shape (${shape.join(', ')}) of ${descr} needs ${count * DTYPE_BYTES[dtype]}.`
    )
  }
  return { dtype, shape, values: decodeValues(data, dtype, count) }
}
