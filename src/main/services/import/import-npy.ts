import * as path from 'node:path'
import type { DatasetSource } from '../../../shared/formats/dataset'
import { type ArrayImportOptions, checkArrayOptions, importImageArray } from './import-array'
import { ImportError } from './import-error'
import type { ImportResult } from './import-folder'
import { describeArray, elementReader, type NpyArray, readNpyArrays } from './npy-array'
import { checkSourceFile } from './source-file'

type NpySource = Extract<DatasetSource, { kind: 'npy' }>
export type NpyLayout = NpySource['layout']
export type NpyRange = NpySource['range']

export interface ImportNpyOptions extends ArrayImportOptions {
  /** A .npy of images, or an .npz holding them (and perhaps their labels). */
  path: string
  /** The images' key in an .npz; by default its only array of images (3 or 4 dimensions). */
  imagesKey?: string
  /** The labels' key in an .npz; by default its only 1-D integer array as long as the images. */
  labelsKey?: string
  /** Labels in a .npy of their own. */
  labelsPath?: string
  /** How the axes are laid out; by default taken from the shape (channels are the axis of size 1 or 3). */
  layout?: NpyLayout
  /** What float values mean; by default taken from their smallest and largest values. */
  range?: NpyRange
}

/** Labels are bytes in the library (labels.u8). */
const LABEL_MAX = 255
/** Labels as int64 for 10 million images is 80 MB: more than any labelled .npz of images here. */
const LABELS_MAX_BYTES = 128 * 1024 * 1024

/**
 * Imports a numpy array of square images: N×H×W (grayscale), N×H×W×C or N×C×H×W with C 1 or 3, uint8 as it
 * is, other integers as 0–255, floats from 0–1, −1–1 or 0–255 (found by a first pass over the values unless
 * given), with labels from the same .npz or a .npy of their own.
 */
export async function importNpy(options: ImportNpyOptions): Promise<ImportResult> {
  checkArrayOptions(options)
  const file = path.resolve(options.path)
  await checkNpyPath(file)
  const arrays = await readNpyArrays(file)
  const images = pickImages(file, arrays, options.imagesKey)
  const { header } = images
  if (header.fortranOrder) throw invalid(file, `stores ${describeArray(images)} in Fortran order; save it with np.save(path, np.ascontiguousarray(a)) first`)
  const layout = options.layout ?? guessLayout(file, images)
  const shape = header.shape
  const wanted = layout === 'nhw' ? 3 : 4
  if (shape.length !== wanted) throw invalid(file, `holds ${describeArray(images)}, which is not laid out ${layoutWords(layout)}`)
  const [count, h, w, channels] =
    layout === 'nhw'
      ? [shape[0]!, shape[1]!, shape[2]!, 1]
      : layout === 'nhwc'
        ? [shape[0]!, shape[1]!, shape[2]!, shape[3]!]
        : [shape[0]!, shape[2]!, shape[3]!, shape[1]!]
  if (channels !== 1 && channels !== 3) throw invalid(file, `holds ${describeArray(images)}: ${channels} channels; images here are grayscale (1) or RGB (3)`)
  if (h !== w) throw invalid(file, `holds ${describeArray(images)}: ${h}×${w} images; only square images are read (crop or pad them with numpy first)`)
  if (count === 0) throw invalid(file, `holds ${describeArray(images)}: no images`)
  const labels = await readLabels(file, arrays, images, count, options)
  const range = options.range ?? (await guessRange(file, images))
  const element = elementReader(header)
  const side = h
  const perImage = side * side * channels
  const toByte = byteOf(range)
  const stream = await images.open()
  let next = 0
  const source: DatasetSource = {
    kind: 'npy',
    path: file,
    ...(arrays.length > 1 || options.imagesKey ? { imagesKey: images.key } : {}),
    ...(labels?.key ? { labelsKey: labels.key } : {}),
    ...(options.labelsPath ? { labelsPath: path.resolve(options.labelsPath) } : {}),
    layout,
    range
  }
  try {
    return await importImageArray(
      {
        count,
        side,
        channels,
        labelled: labels !== null,
        read: async (n) => {
          const raw = await stream.take(n * perImage * header.bytes)
          if (raw.length < n * perImage * header.bytes)
            throw invalid(
              file,
              `is truncated: ${describeArray(images)} ends inside image ${(next + Math.floor(raw.length / (perImage * header.bytes)) + 1).toLocaleString('en-US')}`
            )
          const out = Buffer.alloc(n * perImage)
          const plane = side * side
          for (let i = 0; i < n; i++) {
            for (let p = 0; p < perImage; p++) {
              // Channels first: element (ch, y, x) of image i goes to ((y, x), ch).
              const from = layout === 'nchw' ? (p % channels) * plane + Math.floor(p / channels) : p
              out[i * perImage + p] = toByte(element(raw, (i * perImage + from) * header.bytes))
            }
          }
          const batch = { images: out, labels: labels ? labels.values.subarray(next, next + n) : null }
          next += n
          return batch
        },
        expectEnd: async () => {
          if (!(await stream.atEnd())) throw invalid(file, `holds more data than ${describeArray(images)} its header describes; it is damaged`)
        }
      },
      options,
      { source, defaultName: path.basename(file).replace(/\.np[yz]$/i, '') + (options.imagesKey ? ` ${images.key}` : ''), what: `The images in ${file}` }
    )
  } finally {
    stream.close()
  }
}

export async function checkNpyPath(file: string): Promise<void> {
  await checkSourceFile(file, { what: 'numpy file', example: 'images.npy or data.npz', names: /\.np[yz]$/i })
}

function pickImages(file: string, arrays: NpyArray[], key: string | undefined): NpyArray {
  const listing = arrays.map(describeArray).join(', ') || 'no arrays'
  if (key !== undefined) {
    const found = arrays.find((a) => a.key === key)
    if (!found) throw invalid(file, `has no array ${key}; it holds ${listing}`)
    return found
  }
  const candidates = arrays.filter((a) => a.header.shape.length === 3 || a.header.shape.length === 4)
  if (candidates.length === 1) return candidates[0]!
  throw invalid(file, `holds ${listing}; say which array holds the images (--images-key)`)
}

function guessLayout(file: string, images: NpyArray): NpyLayout {
  const s = images.header.shape
  if (s.length === 3) return 'nhw'
  if (s.length === 4 && (s[3] === 1 || s[3] === 3)) return 'nhwc'
  if (s.length === 4 && (s[1] === 1 || s[1] === 3)) return 'nchw'
  throw invalid(file, `holds ${describeArray(images)}; images are N×H×W, N×H×W×C or N×C×H×W with C 1 or 3`)
}

function layoutWords(layout: NpyLayout): string {
  return { nhw: 'as N×H×W', nhwc: 'as N×H×W×C', nchw: 'as N×C×H×W' }[layout]
}

async function readLabels(
  file: string,
  arrays: NpyArray[],
  images: NpyArray,
  count: number,
  options: ImportNpyOptions
): Promise<{ key: string | null; values: Uint8Array } | null> {
  let array: NpyArray | undefined
  let key: string | null = null
  let where = file
  if (options.labelsPath !== undefined) {
    where = path.resolve(options.labelsPath)
    await checkNpyPath(where)
    const inFile = await readNpyArrays(where)
    array = options.labelsKey ? inFile.find((a) => a.key === options.labelsKey) : inFile.length === 1 ? inFile[0] : undefined
    if (!array) throw invalid(where, `holds ${inFile.map(describeArray).join(', ')}; say which array holds the labels (--labels-key)`)
  } else if (options.labelsKey !== undefined) {
    array = arrays.find((a) => a.key === options.labelsKey)
    if (!array) throw invalid(file, `has no array ${options.labelsKey}; it holds ${arrays.map(describeArray).join(', ')}`)
    key = array.key
  } else {
    const candidates = arrays.filter((a) => a !== images && a.header.kind !== 'f' && a.header.shape.length === 1 && a.header.shape[0] === count)
    if (candidates.length !== 1) return null
    array = candidates[0]!
    key = array.key
  }
  const shape = array.header.shape
  if (shape.reduce((a, b) => a * b, 1) !== count || shape.filter((d) => d !== 1).length > 1) {
    throw new ImportError(
      'LABELS_MISMATCH',
      `The labels ${describeArray(array)} in ${where} are not one per image: the images are ${describeArray(images)}. Choose the labels that belong to these images.`
    )
  }
  if (count * array.header.bytes > LABELS_MAX_BYTES) throw invalid(where, `holds too many labels (${count.toLocaleString('en-US')})`)
  const stream = await array.open()
  let raw: Buffer
  try {
    raw = await stream.take(count * array.header.bytes)
  } finally {
    stream.close()
  }
  if (raw.length < count * array.header.bytes) throw invalid(where, `is truncated inside ${describeArray(array)}`)
  const element = elementReader(array.header)
  const values = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    const v = element(raw, i * array.header.bytes)
    if (!Number.isInteger(v) || v < 0 || v > LABEL_MAX)
      throw invalid(where, `has the label ${v} for image ${i + 1} in ${array.key}; labels are whole numbers 0–${LABEL_MAX}`)
    values[i] = v
  }
  return { key, values }
}

/** Floats: their smallest and largest values say which range they were scaled to. */
async function guessRange(file: string, images: NpyArray): Promise<NpyRange> {
  const { header } = images
  if (header.kind === 'u' && header.bytes === 1) return 'uint8'
  const element = elementReader(header)
  const total = header.shape.reduce((a, b) => a * b, 1)
  const stream = await images.open()
  let min = Infinity
  let max = -Infinity
  try {
    for (let done = 0; done < total;) {
      const n = Math.min(1 << 20, total - done)
      const raw = await stream.take(n * header.bytes)
      if (raw.length < n * header.bytes) throw invalid(file, `is truncated inside ${describeArray(images)}`)
      for (let i = 0; i < n; i++) {
        const v = element(raw, i * header.bytes)
        if (Number.isNaN(v)) throw invalid(file, `has NaN values in ${describeArray(images)}`)
        if (v < min) min = v
        if (v > max) max = v
      }
      done += n
    }
  } finally {
    stream.close()
  }
  if (header.kind !== 'f') {
    if (min >= 0 && max <= 255) return '0-255'
  } else if (min >= 0 && max <= 1) return '0-1'
  else if (min >= -1 && max <= 1) return '-1-1'
  else if (min >= 0 && max <= 255) return '0-255'
  throw invalid(file, `has values from ${min} to ${max} in ${describeArray(images)}; images are read from 0–255${header.kind === 'f' ? ', 0–1 or −1–1' : ''}`)
}

function byteOf(range: NpyRange): (v: number) => number {
  const clamp = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v))
  switch (range) {
    case 'uint8':
    case '0-255':
      return clamp
    case '0-1':
      return (v) => clamp(v * 255)
    case '-1-1':
      return (v) => clamp((v + 1) * 127.5)
  }
}

function invalid(file: string, what: string): ImportError {
  return new ImportError('FILE_INVALID', `The numpy file ${file} ${what}.`)
}
