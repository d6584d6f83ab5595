import { makeFaces } from '../../services/faces'
import { UsageError, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { parseIntOption } from '../studio-session'

export const makeFacesHelp = `dcgan-studio make-faces --count N --out DIR [--size 64] [--seed S] [--json]
  Draws N procedural faces (no downloads: smiling or neutral, masculine or feminine, with or without
  glasses, turned left, frontal or right, several hair colours, skin tones and backgrounds) into a new
  folder DIR as face-000000.png … and labels.json (each face's labels and seed). The same seed always draws
  the same faces. Import the folder as a dataset with "dcgan-studio import DIR --size 64"; the importer
  lists labels.json as skipped (not an image).`

export async function makeFacesCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    count: { type: 'string' },
    size: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' }
  })
  if (!values.out) throw new UsageError('--out DIR is required: a new folder for the faces.')
  const count = parseIntOption('count', values.count)
  if (count === undefined) throw new UsageError('--count N is required: how many faces to draw.')
  const size = parseIntOption('size', values.size) ?? 64
  const seed = parseIntOption('seed', values.seed) ?? 1
  const out = makeOutput(values.json)
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const started = Date.now()
  let lastLine = 0
  let lastSaid = started
  try {
    const made = await makeFaces({
      count,
      size,
      seed,
      out: values.out,
      signal: controller.signal,
      onProgress: (done, total) => {
        // JSON: a few lines a second and always the last; text: a line a second, only if it takes that long.
        const now = Date.now()
        if (done === total || now - lastLine >= 250) {
          lastLine = now
          out.emit({ event: 'progress', done, total })
        }
        if (now - lastSaid >= 1000) {
          lastSaid = now
          out.say(`${done}/${total} faces`)
        }
      }
    })
    out.emit({
      event: 'done',
      out: made.out,
      count: made.count,
      size: made.size,
      seed: made.seed,
      labels: made.labelsFile,
      seconds: (Date.now() - started) / 1000
    })
    out.say(`Wrote ${made.count} faces (${made.size}×${made.size}, seed ${made.seed}) and labels.json to ${made.out}.`)
    out.say(`Import them with: dcgan-studio import ${JSON.stringify(made.out)} --size ${made.size}`)
    return 0
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}
