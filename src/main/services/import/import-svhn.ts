import * as path from 'node:path'
import { type ArrayImportOptions, checkArrayOptions, importImageArray } from './import-array'
import { ImportError } from './import-error'
import type { ImportResult } from './import-folder'
import { dataTypeName, MatFile, MI_UINT8 } from './mat-file'
import { checkSourceFile } from './source-file'

export interface ImportSvhnOptions extends ArrayImportOptions {
  /** train_32x32.mat, test_32x32.mat or extra_32x32.mat from SVHN's cropped digits. */
  path: string
}

/** The digits' names, by label: SVHN's y says 10 for the digit 0, which becomes label 0 here. */
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']
/** y is one number per image: even as doubles, 8 bytes each for SVHN's 604,388 extra digits is under this. */
const LABELS_MAX_BYTES = 64 * 1024 * 1024

/**
 * Imports SVHN's cropped digits (format 2): a MAT-file holding X, side × side × 3 × N bytes in MATLAB's
 * column-major order, and y, N labels 1 … 10 where 10 is the digit 0. The labels become 0 … 9.
 */
export async function importSvhn(options: ImportSvhnOptions): Promise<ImportResult> {
  checkArrayOptions(options)
  const file = path.resolve(options.path)
  await checkSvhnPath(file)
  const mat = await MatFile.open(file)
  const expected = 'SVHN cropped digits hold X (32×32×3×N uint8) and y (N×1, the digits 1–10, 10 for 0)'
  const X = mat.variable('X')
  const y = mat.variable('y')
  if (!X || !y) throw invalid(file, `holds ${mat.listing()}; ${expected}`)
  const [side = 0, cols = 0, channels = 0, count = 0] = X.dims
  if (X.dims.length !== 4 || side !== cols || channels !== 3 || !X.numeric || X.complex || X.dataType !== MI_UINT8) {
    throw invalid(
      file,
      `holds X as ${X.dims.join('×')} ${X.className}${X.numeric && dataTypeName(X.dataType) !== X.className ? ` stored as ${dataTypeName(X.dataType)}` : ''}; ${expected}`
    )
  }
  const imageBytes = side * side * 3
  if (X.dataBytes !== imageBytes * count)
    throw invalid(file, `says X is ${X.dims.join('×')} but holds ${X.dataBytes.toLocaleString('en-US')} bytes of it; it is damaged`)
  if (!y.numeric || y.complex || y.dims.reduce((a, b) => a * b, 1) !== count || y.dims.filter((d) => d !== 1).length > 1) {
    throw new ImportError(
      'LABELS_MISMATCH',
      `The MATLAB file ${file} holds ${count.toLocaleString('en-US')} images in X but y is ${y.dims.join('×')} ${y.className}; ${expected}.`
    )
  }
  const digits = await mat.readNumbers(y, LABELS_MAX_BYTES)
  const labels = new Uint8Array(count)
  for (let i = 0; i < digits.length; i++) {
    const d = digits[i]!
    if (!Number.isInteger(d) || d < 1 || d > 10) throw invalid(file, `has the label ${d} for image ${i + 1} in y; SVHN's labels are the digits 1–10 (10 for 0)`)
    labels[i] = d % 10
  }
  const data = await mat.openData(X)
  let next = 0
  try {
    return await importImageArray(
      {
        count: count,
        side: side,
        channels: 3,
        labelled: true,
        classes: { count: 10, names: DIGITS },
        read: async (n) => {
          const raw = await data.take(n * imageBytes)
          if (raw.length < n * imageBytes)
            throw invalid(
              file,
              `is truncated inside X: it ends after ${(next + Math.floor(raw.length / imageBytes)).toLocaleString('en-US')} of ${count.toLocaleString('en-US')} images`
            )
          const images = Buffer.alloc(raw.length)
          const plane = side * side
          // Column-major (row fastest, then column, then channel) to rows of interleaved RGB.
          for (let i = 0; i < n; i++) {
            const o = i * imageBytes
            for (let ch = 0; ch < 3; ch++) {
              for (let c = 0; c < side; c++) {
                const from = o + ch * plane + c * side
                for (let r = 0; r < side; r++) images[o + (r * side + c) * 3 + ch] = raw[from + r]!
              }
            }
          }
          const out = { images, labels: labels.subarray(next, next + n) }
          next += n
          return out
        },
        // X's size was checked against its dimensions, and the stream ends where X does.
        expectEnd: async () => undefined
      },
      options,
      { source: { kind: 'svhn', path: file }, defaultName: `SVHN ${path.basename(file).replace(/(_32x32)?\.mat$/i, '')}`, what: `The SVHN digits in ${file}` }
    )
  } finally {
    data.close()
  }
}

export async function checkSvhnPath(file: string): Promise<void> {
  await checkSourceFile(file, { what: 'SVHN .mat file', example: 'train_32x32.mat', names: /\.mat$/i })
}

function invalid(file: string, what: string): ImportError {
  return new ImportError('FILE_INVALID', `The MATLAB file ${file} ${what}.`)
}
