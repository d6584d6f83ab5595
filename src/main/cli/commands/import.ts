import type { ImportRequestInput } from '../../../shared/api/datasets'
import { ImportRequest } from '../../../shared/api/datasets'
import { describeZodError } from '../../../shared/api/errors'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { parseIntOption, withCliStudio } from '../studio-session'

export const importHelp = `dcgan-studio import FOLDER --size 64 [--name N] [--grayscale] [--fit crop|pad] [--class-folders] [--json]
dcgan-studio import --idx FILE [--labels FILE] [--size 32] [--limit N] [--name N] [--json]
  Imports a folder of images (recursively: JPEG, PNG, WebP, GIF, BMP, TIFF, PGM/PPM/PBM) or an MNIST-style IDX file into
  the library. Files that cannot be used are skipped and listed with the reason; duplicates are reported.
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
      labels: { type: 'string' },
      limit: { type: 'string' }
    },
    true
  )
  const out = makeOutput(values.json)
  const size = parseIntOption('size', values.size)
  let input: ImportRequestInput
  if (values.idx) {
    if (positionals.length > 0) throw new UsageError('Give either a FOLDER or --idx FILE, not both.')
    const limit = parseIntOption('limit', values.limit)
    input = { kind: 'idx', imagesPath: values.idx, ...(values.labels ? { labelsPath: values.labels } : {}), ...(size ? { size } : {}), ...(limit ? { limit } : {}), ...(values.name ? { name: values.name } : {}) }
  } else {
    const folder = positionals[0]
    if (!folder || positionals.length > 1) throw new UsageError('Give one FOLDER to import (or --idx FILE).')
    input = { kind: 'folder', path: folder, grayscale: values.grayscale, classFolders: values['class-folders'], ...(size ? { size } : {}), ...(values.fit ? { fit: values.fit as 'crop' } : {}), ...(values.name ? { name: values.name } : {}) }
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
      out.say(`Imported ${manifest.count} images as dataset ${manifest.id} ("${manifest.name}", ${manifest.size}×${manifest.size}, ${manifest.channels === 1 ? 'grayscale' : 'RGB'}).`)
      if (manifest.labels?.names) out.say(`Classes (label: folder): ${manifest.labels.names.map((name, k) => `${k}: ${name}`).join(', ')}.`)
      for (const f of problems) out.say(`  not imported: ${f.path} — ${f.status === 'skipped' ? f.reason : `duplicate of ${f.duplicateOf}`}`)
      return 0
    } finally {
      off()
    }
  })
}
