import type { ImportRequestInput } from '../../../shared/api/datasets'
import { ImportRequest } from '../../../shared/api/datasets'
import { describeZodError } from '../../../shared/api/errors'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { parseIntOption, withCliStudio } from '../studio-session'

export const importHelp = `dcgan-studio import FOLDER --size 64 [--name N] [--grayscale] [--fit crop|pad] [--class-folders] [--json]
dcgan-studio import --idx FILE [--labels FILE] [--size 32] [--limit N] [--name N] [--json]
dcgan-studio import --cifar FOLDER|FILE [--cifar FILE …] [--split train|test] [--cifar-labels fine|coarse] [--cifar-variant cifar10|cifar100] [--size N] [--limit N] [--name N] [--json]
dcgan-studio import --svhn FILE.mat [--size N] [--limit N] [--name N] [--json]
dcgan-studio import --npy FILE.npy|FILE.npz [--labels FILE.npy] [--images-key K] [--labels-key K] [--layout nhw|nhwc|nchw] [--range uint8|0-1|0-255|-1-1] [--size N] [--limit N] [--name N] [--json]
  Imports a folder of images (recursively: JPEG, PNG, WebP, GIF, BMP, TIFF, PGM/PPM/PBM) or an image array
  with its labels into the library: an MNIST-style IDX file; CIFAR-10/100 binary batches (a folder such as
  cifar-10-batches-bin: its training batches, or its test batch with --split test; CIFAR-100's fine labels
  unless --cifar-labels coarse; class names from batches.meta.txt); SVHN's cropped digits (train_32x32.mat …:
  X and y, the digit 10 becoming label 0); a numpy .npy or .npz of N×H×W, N×H×W×C or N×C×H×W images (uint8,
  or floats in 0–1, −1–1 or 0–255, found from the values), its labels from the same .npz or --labels.
  Array imports keep the source's size unless --size is given; --limit imports only the first N.
  Files that cannot be used are skipped and listed with the reason; duplicates are reported.
  The source is never modified. --class-folders labels the images by folder: each subfolder of FOLDER is a
  class named by the folder (sorted by name), for the linear probe. --json prints progress lines and ends
  with the dataset id, the counts, the class names (if any) and the skipped files.`

export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    argv,
    {
      size: { type: 'string' },
      name: { type: 'string' },
      grayscale: { type: 'boolean', default: false },
      'class-folders': { type: 'boolean', default: false },
      fit: { type: 'string' },
      idx: { type: 'string' },
      cifar: { type: 'string', multiple: true },
      split: { type: 'string' },
      'cifar-labels': { type: 'string' },
      'cifar-variant': { type: 'string' },
      svhn: { type: 'string' },
      npy: { type: 'string' },
      'images-key': { type: 'string' },
      'labels-key': { type: 'string' },
      layout: { type: 'string' },
      range: { type: 'string' },
      labels: { type: 'string' },
      limit: { type: 'string' }
    },
    true
  )
  const out = makeOutput(values.json)
  const size = parseIntOption('size', values.size)
  const sources = (['idx', 'cifar', 'svhn', 'npy'] as const).filter((flag) => values[flag] !== undefined)
  if (sources.length > 1) throw new UsageError(`Give one source to import, not --${sources.join(' and --')}.`)
  const source = sources[0]
  if (source && positionals.length > 0) throw new UsageError(`Give either a FOLDER or --${source} FILE, not both.`)
  if (values.labels && source !== 'idx' && source !== 'npy') throw new UsageError('--labels goes with --idx or --npy (the labels file of those images).')
  // The schema says what is wrong with a value (an unknown --split, say); these are passed on as given.
  const common = { ...(size ? { size } : {}), ...(values.name ? { name: values.name } : {}) }
  const limit = parseIntOption('limit', values.limit)
  const array = { ...common, ...(limit ? { limit } : {}) }
  let input: ImportRequestInput
  if (source === 'idx') {
    input = { kind: 'idx', imagesPath: values.idx as string, ...(values.labels ? { labelsPath: values.labels } : {}), ...array }
  } else if (source === 'cifar') {
    input = {
      kind: 'cifar',
      paths: values.cifar as string[],
      ...(values.split ? { split: values.split as 'train' } : {}),
      ...(values['cifar-labels'] ? { labels: values['cifar-labels'] as 'fine' } : {}),
      ...(values['cifar-variant'] ? { variant: values['cifar-variant'] as 'cifar10' } : {}),
      ...array
    }
  } else if (source === 'svhn') {
    input = { kind: 'svhn', path: values.svhn as string, ...array }
  } else if (source === 'npy') {
    input = {
      kind: 'npy',
      path: values.npy as string,
      ...(values.labels ? { labelsPath: values.labels } : {}),
      ...(values['images-key'] ? { imagesKey: values['images-key'] } : {}),
      ...(values['labels-key'] ? { labelsKey: values['labels-key'] } : {}),
      ...(values.layout ? { layout: values.layout as 'nhw' } : {}),
      ...(values.range ? { range: values.range as 'uint8' } : {}),
      ...array
    }
  } else {
    const folder = positionals[0]
    if (!folder || positionals.length > 1) throw new UsageError('Give one FOLDER to import (or --idx, --cifar, --svhn or --npy FILE).')
    input = {
      kind: 'folder',
      path: folder,
      grayscale: values.grayscale,
      classFolders: values['class-folders'],
      ...(size ? { size } : {}),
      ...(values.fit ? { fit: values.fit as 'crop' } : {}),
      ...(values.name ? { name: values.name } : {})
    }
  }
  const request = ImportRequest.safeParse(input)
  if (!request.success) throw new UsageError(describeZodError(request.error, 'import options'))

  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const { job, done } = studio.datasets.startImport(request.data)
    void interrupted.then(() => studio.jobs.cancel(job.id))
    let lastLine = 0
    const off = studio.events.subscribe((event, payload) => {
      if (event !== 'jobs.changed') return
      const changed = payload as typeof job
      if (changed.id !== job.id || changed.state !== 'running') return
      out.emit({ event: 'progress', progress: changed.progress, message: changed.message })
      if (!out.json && Date.now() - lastLine > 1000) {
        lastLine = Date.now()
        out.say(`${changed.progress === null ? '' : `${Math.round(changed.progress * 100)}% `}${changed.message}`)
      }
    })
    try {
      const { manifest } = await done
      const problems = manifest.files.filter((f) => f.status !== 'imported')
      out.emit({
        event: 'done',
        datasetId: manifest.id,
        name: manifest.name,
        count: manifest.count,
        size: manifest.size,
        channels: manifest.channels,
        summary: manifest.summary,
        classes: manifest.labels?.names ?? null,
        skipped: problems.map((f) => (f.status === 'skipped' ? { path: f.path, reason: f.reason } : { path: f.path, reason: `duplicate of ${f.duplicateOf}` }))
      })
      out.say(
        `Imported ${manifest.count} images as dataset ${manifest.id} ("${manifest.name}", ${manifest.size}×${manifest.size}, ${manifest.channels === 1 ? 'grayscale' : 'RGB'}).`
      )
      if (manifest.labels?.names) out.say(`Classes (label: name): ${manifest.labels.names.map((name, k) => `${k}: ${name}`).join(', ')}.`)
      for (const f of problems) out.say(`  not imported: ${f.path} — ${f.status === 'skipped' ? f.reason : `duplicate of ${f.duplicateOf}`}`)
      return 0
    } finally {
      off()
    }
  })
}
