import * as path from 'node:path'
import { ImportError } from './import-error'
import type { ImportResult } from './import-folder'
import { type ArrayImportOptions, checkArrayOptions, importImageArray } from './import-array'
import { IdxFile } from './idx-file'

export interface ImportIdxOptions extends ArrayImportOptions {
  /** An IDX3 image file (e.g. train-images-idx3-ubyte), gzipped or not. */
  imagesPath: string
  /** The matching IDX1 labels file; its count must equal the images'. */
  labelsPath?: string
}

/**
 * Imports an MNIST-style IDX file as a grayscale dataset, streaming it (gzipped or not) straight into
 * images.u8, with labels into labels.u8; the classes are the labels 0 … the largest one.
 */
export async function importIdx(options: ImportIdxOptions): Promise<ImportResult> {
  checkArrayOptions(options)
  const imagesPath = path.resolve(options.imagesPath)
  const labelsPath = options.labelsPath === undefined ? undefined : path.resolve(options.labelsPath)
  const images = await IdxFile.open(imagesPath, 'images')
  let labels: IdxFile | null = null
  try {
    labels = labelsPath === undefined ? null : await IdxFile.open(labelsPath, 'labels')
    if (labels && labels.count !== images.count) {
      throw new ImportError(
        'IDX_MISMATCH',
        `The labels file ${labelsPath} has ${labels.count.toLocaleString('en-US')} labels but the images file ${imagesPath} ` +
          `has ${images.count.toLocaleString('en-US')} images. Choose the labels file that belongs to these images.`
      )
    }
    const side = images.dims[1]!
    const labelFile = labels
    return await importImageArray(
      {
        count: images.count,
        side,
        channels: 1,
        labelled: labelFile !== null,
        read: async (n) => ({ images: await images.read(n * side * side), labels: labelFile ? await labelFile.read(n) : null }),
        expectEnd: async () => {
          await images.expectEnd()
          await labelFile?.expectEnd()
        }
      },
      options,
      {
        source: labelsPath === undefined ? { kind: 'idx', imagesPath } : { kind: 'idx', imagesPath, labelsPath },
        defaultName: defaultName(imagesPath),
        what: `The IDX images in ${imagesPath}`
      }
    )
  } finally {
    images.close()
    labels?.close()
  }
}

/** 'fashion-mnist/t10k-images-idx3-ubyte.gz' → 'fashion-mnist t10k'. */
function defaultName(imagesPath: string): string {
  const stem = path
    .basename(imagesPath)
    .replace(/\.gz$/i, '')
    .replace(/[-_.]?idx3[-_.]?ubyte$/i, '')
    .replace(/[-_.]?images$/i, '')
  const folder = path.basename(path.dirname(imagesPath))
  return [folder, stem].filter((part) => part !== '').join(' ') || 'IDX images'
}
