import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { ClassName } from '../../../shared/formats/dataset'
import type { ImageArray } from './import-array'
import { ImportError } from './import-error'

/**
 * The binary CIFAR batches (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz, extracted): records back to back,
 * each 1 label byte (CIFAR-100: a coarse then a fine label byte) and a 32×32 colour image as 1,024 red, then
 * 1,024 green, then 1,024 blue bytes, rows top to bottom. No header: the record count is the file size over
 * the record size, so a file that is not a whole number of records is damaged, and labels out of range say it
 * is not a CIFAR batch at all.
 */

export type CifarVariant = 'cifar10' | 'cifar100'
export type CifarLabels = 'fine' | 'coarse'
export type CifarSplit = 'train' | 'test'

const SIDE = 32
const PIXELS = SIDE * SIDE
const IMAGE_BYTES = 3 * PIXELS
const LABEL_BYTES: Record<CifarVariant, number> = { cifar10: 1, cifar100: 2 }
const NAMES: Record<CifarVariant, string> = { cifar10: 'CIFAR-10', cifar100: 'CIFAR-100' }
/** The batch files of each variant and split, as the archives name them. */
const BATCH_NAMES: Record<CifarVariant, Record<CifarSplit, RegExp>> = {
  cifar10: { train: /^data_batch_(\d+)\.bin$/, test: /^test_batch\.bin$/ },
  cifar100: { train: /^train\.bin$/, test: /^test\.bin$/ }
}
/** The label names beside the batches; one per line. */
const NAME_FILES = { cifar10: 'batches.meta.txt', fine: 'fine_label_names.txt', coarse: 'coarse_label_names.txt' } as const
const NAME_FILE_MAX = 64 * 1024

export function recordBytes(variant: CifarVariant): number {
  return LABEL_BYTES[variant] + IMAGE_BYTES
}

export function classCount(variant: CifarVariant, labels: CifarLabels): number {
  return variant === 'cifar10' ? 10 : labels === 'fine' ? 100 : 20
}

interface Batch {
  file: string
  records: number
}

export interface CifarSelection {
  /** Batch files, in import order. */
  files: string[]
  variant: CifarVariant
}

/**
 * The batch files a list of paths names: files as given, in that order; a folder's training batches
 * (data_batch_1…5.bin, or CIFAR-100's train.bin) or its test batch. The variant is taken from the names or,
 * for renamed files, from the record size, unless given.
 */
export async function selectCifarFiles(paths: readonly string[], split: CifarSplit, variant?: CifarVariant): Promise<CifarSelection> {
  if (paths.length === 0) throw new ImportError('SOURCE_NOT_FOUND', 'Choose the CIFAR batch files or the folder that holds them (e.g. cifar-10-batches-bin).')
  const files: string[] = []
  const variants = new Set<CifarVariant>()
  for (const given of paths) {
    const file = path.resolve(given)
    const info = await fs.stat(file).catch((error: unknown) => error as NodeJS.ErrnoException)
    if (info instanceof Error) {
      if (info.code === 'ENOENT')
        throw new ImportError(
          'SOURCE_NOT_FOUND',
          `${file} does not exist. Choose the CIFAR batch files or the folder that holds them (e.g. cifar-10-batches-bin/).`
        )
      throw new ImportError('SOURCE_UNREADABLE', `${file} cannot be opened (${info.code ?? info.message}).`)
    }
    if (info.isDirectory()) {
      const found = await batchesIn(file, split, variant)
      files.push(...found.files)
      variants.add(found.variant)
    } else if (info.isFile()) {
      files.push(file)
      const named = variantOfName(path.basename(file))
      if (named) variants.add(named)
    } else {
      throw new ImportError('SOURCE_NOT_A_FILE', `${file} is not a regular file or a folder; choose the CIFAR batch files (e.g. data_batch_1.bin).`)
    }
  }
  if (variant) return { files, variant }
  if (variants.size > 1) throw new ImportError('FILE_INVALID', 'These files mix CIFAR-10 and CIFAR-100 batches; import each set on its own.')
  const named = [...variants][0]
  if (named) return { files, variant: named }
  // Renamed files: the record size decides when only one of the two fits every file.
  const sizes = await Promise.all(files.map(async (f) => (await fs.stat(f)).size))
  const fits = (['cifar10', 'cifar100'] as const).filter((v) => sizes.every((size) => size > 0 && size % recordBytes(v) === 0))
  if (fits.length === 1) return { files, variant: fits[0]! }
  throw new ImportError(
    'FILE_INVALID',
    fits.length === 0
      ? `${files.map((f) => path.basename(f)).join(', ')} ${files.length === 1 ? 'is' : 'are'} not CIFAR batches: a CIFAR-10 batch is a whole number of 3,073-byte records, a CIFAR-100 batch of 3,074-byte ones.`
      : `Cannot tell whether ${files.map((f) => path.basename(f)).join(', ')} hold CIFAR-10 or CIFAR-100 records from their names or sizes; say which (--cifar-variant).`
  )
}

function variantOfName(name: string): CifarVariant | null {
  for (const variant of ['cifar10', 'cifar100'] as const) {
    if (Object.values(BATCH_NAMES[variant]).some((pattern) => pattern.test(name))) return variant
  }
  return null
}

async function batchesIn(folder: string, split: CifarSplit, variant: CifarVariant | undefined): Promise<CifarSelection> {
  const names = (await fs.readdir(folder, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name)
  for (const candidate of variant ? [variant] : (['cifar10', 'cifar100'] as const)) {
    const pattern = BATCH_NAMES[candidate][split]
    const found = names
      .filter((name) => pattern.test(name))
      // data_batch_2 before data_batch_10, as the archive numbers them.
      .sort((a, b) => Number(pattern.exec(a)?.[1] ?? 0) - Number(pattern.exec(b)?.[1] ?? 0) || (a < b ? -1 : 1))
    if (found.length > 0) return { files: found.map((name) => path.join(folder, name)), variant: candidate }
  }
  const archives = names.filter((n) => /\.tar\.gz$|\.tgz$/.test(n))
  const hint = archives.length > 0 ? ` It holds ${archives.join(', ')}: extract it first (tar xzf ${archives[0]}).` : ''
  throw new ImportError(
    'SOURCE_NOT_FOUND',
    `${folder} holds no CIFAR ${split === 'train' ? 'training batches (data_batch_1.bin … or train.bin)' : 'test batch (test_batch.bin or test.bin)'}.${hint} ` +
      'Choose the folder the binary version extracts to (cifar-10-batches-bin or cifar-100-binary).'
  )
}

/** The label names next to the first batch, if its folder has them; null when there is no names file. */
export async function readCifarNames(files: readonly string[], variant: CifarVariant, labels: CifarLabels): Promise<string[] | null> {
  const nameFile = path.join(path.dirname(files[0]!), variant === 'cifar10' ? NAME_FILES.cifar10 : NAME_FILES[labels])
  let handle: fs.FileHandle
  try {
    handle = await fs.open(nameFile, 'r')
  } catch {
    return null
  }
  let text: string
  try {
    const info = await handle.stat()
    if (!info.isFile() || info.size > NAME_FILE_MAX) throw invalid(nameFile, `is not a list of class names (${info.size.toLocaleString('en-US')} bytes)`)
    text = (await handle.readFile()).toString('utf8')
  } finally {
    await handle.close()
  }
  const names = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
  const expected = classCount(variant, labels)
  if (names.length !== expected || names.some((name) => !ClassName.safeParse(name).success)) {
    throw invalid(
      nameFile,
      `lists ${names.length} class names, one a line; ${NAMES[variant]}${variant === 'cifar100' ? ` (${labels} labels)` : ''} has ${expected} classes. Fix or remove it`
    )
  }
  return names
}

/** Opens the batches, checking every file's size, and reads them as one array of images and labels. */
export async function openCifarBatches(
  selection: CifarSelection,
  labels: CifarLabels,
  names: string[] | null
): Promise<ImageArray & { close(): Promise<void> }> {
  const { variant } = selection
  const record = recordBytes(variant)
  const classes = classCount(variant, labels)
  const handles: fs.FileHandle[] = []
  const batches: Batch[] = []
  const close = async (): Promise<void> => {
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)))
  }
  try {
    for (const file of selection.files) {
      const handle = await fs.open(file, 'r')
      handles.push(handle)
      const { size } = await handle.stat()
      const head = Buffer.alloc(2)
      await handle.read(head, 0, 2, 0)
      if (head[0] === 0x1f && head[1] === 0x8b) throw invalid(file, 'is a gzip archive; extract it first (tar xzf …) and choose the batch files it holds')
      if (head[0] === 0x80 && size % record !== 0)
        throw invalid(file, `looks like the python (pickle) version of ${NAMES[variant]}; use the binary version (the archive ending -binary.tar.gz)`)
      if (size === 0 || size % record !== 0) {
        throw invalid(
          file,
          `is ${size.toLocaleString('en-US')} bytes, not a whole number of ${record.toLocaleString('en-US')}-byte ${NAMES[variant]} records (truncated, or not a ${NAMES[variant]} batch)`
        )
      }
      batches.push({ file, records: size / record })
    }
  } catch (error) {
    await close()
    throw error
  }
  const count = batches.reduce((sum, b) => sum + b.records, 0)
  // The fine label is CIFAR-100's second byte.
  const labelAt = variant === 'cifar100' && labels === 'fine' ? 1 : 0
  let batch = 0
  let inBatch = 0
  return {
    count,
    side: SIDE,
    channels: 3,
    labelled: true,
    classes: { count: classes, ...(names ? { names } : {}) },
    async read(n) {
      const images = Buffer.alloc(n * IMAGE_BYTES)
      const out = new Uint8Array(n)
      for (let done = 0; done < n;) {
        const { file, records } = batches[batch]!
        const take = Math.min(n - done, records - inBatch)
        const raw = Buffer.alloc(take * record)
        const { bytesRead } = await handles[batch]!.read(raw, 0, raw.length, inBatch * record)
        if (bytesRead < raw.length) throw invalid(file, 'became shorter while it was being read')
        for (let r = 0; r < take; r++) {
          const at = r * record
          const label = raw[at + labelAt]!
          if (label >= classes) {
            throw invalid(
              file,
              `has label ${label} in record ${(inBatch + r).toLocaleString('en-US')}; ${NAMES[variant]}${variant === 'cifar100' ? ` ${labels}` : ''} labels are 0–${classes - 1}, so it is not a ${NAMES[variant]} batch`
            )
          }
          out[done + r] = label
          // Planes (all red, all green, all blue) to interleaved RGB.
          const pixels = at + LABEL_BYTES[variant]
          const o = (done + r) * IMAGE_BYTES
          for (let p = 0; p < PIXELS; p++) {
            images[o + 3 * p] = raw[pixels + p]!
            images[o + 3 * p + 1] = raw[pixels + PIXELS + p]!
            images[o + 3 * p + 2] = raw[pixels + 2 * PIXELS + p]!
          }
        }
        done += take
        inBatch += take
        if (inBatch === records) {
          batch += 1
          inBatch = 0
        }
      }
      return { images, labels: out }
    },
    // Sizes were checked when the files were opened.
    expectEnd: async () => undefined,
    close
  }
}

export function cifarName(variant: CifarVariant): string {
  return NAMES[variant]
}

function invalid(file: string, what: string): ImportError {
  return new ImportError('FILE_INVALID', `${file} ${what}.`)
}
