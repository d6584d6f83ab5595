import * as path from 'node:path'
import { type CifarLabels, type CifarSplit, type CifarVariant, cifarName, openCifarBatches, readCifarNames, selectCifarFiles } from './cifar-batches'
import { type ArrayImportOptions, checkArrayOptions, importImageArray } from './import-array'
import type { ImportResult } from './import-folder'

export interface ImportCifarOptions extends ArrayImportOptions {
  /** Batch files (data_batch_1.bin …, test_batch.bin; CIFAR-100's train.bin, test.bin), or a folder holding them. */
  paths: string[]
  /** From a folder: its training batches (default) or its test batch. */
  split?: CifarSplit
  /** CIFAR-100's labels: fine (100 classes, the default) or coarse (20 superclasses). */
  labels?: CifarLabels
  /** Taken from the file names or record sizes when not given. */
  variant?: CifarVariant
}

/**
 * Imports binary CIFAR-10 or CIFAR-100 batches as one RGB dataset with labels, records in file order; the
 * class names come from batches.meta.txt (CIFAR-100: fine_label_names.txt or coarse_label_names.txt) beside
 * the batches when it is there.
 */
export async function importCifar(options: ImportCifarOptions): Promise<ImportResult> {
  checkArrayOptions(options)
  const split = options.split ?? 'train'
  const selection = await selectCifarFiles(options.paths, split, options.variant)
  const labels = selection.variant === 'cifar100' ? (options.labels ?? 'fine') : 'fine'
  const names = await readCifarNames(selection.files, selection.variant, labels)
  const batches = await openCifarBatches(selection, labels, names)
  try {
    return await importImageArray(batches, options, {
      source: { kind: 'cifar', paths: selection.files, variant: selection.variant, labels },
      defaultName: defaultName(selection.files, selection.variant, labels),
      what: `The ${cifarName(selection.variant)} images`
    })
  } finally {
    await batches.close()
  }
}

/** 'CIFAR-10 data_batch_1-5', 'CIFAR-10 test_batch', 'CIFAR-100 train (coarse)'. */
function defaultName(files: readonly string[], variant: CifarVariant, labels: CifarLabels): string {
  const stems = files.map((f) => path.basename(f).replace(/\.bin$/i, ''))
  const numbers = stems.map((s) => Number(/^data_batch_(\d+)$/.exec(s)?.[1]))
  const consecutive = stems.length > 1 && numbers.every((n, i) => Number.isInteger(n) && (i === 0 || n === numbers[i - 1]! + 1))
  const what = consecutive
    ? `data_batch_${numbers[0]}-${numbers.at(-1)}`
    : stems.length > 2
      ? `${stems[0]} … ${stems.at(-1)} (${stems.length} files)`
      : stems.join(' + ')
  return `${cifarName(variant)} ${what}${variant === 'cifar100' ? ` (${labels})` : ''}`
}
