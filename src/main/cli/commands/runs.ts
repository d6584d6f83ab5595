import * as fs from 'node:fs'
import * as path from 'node:path'
import { z } from 'zod'
import type { RgbaImage } from '../../../shared/api/image'
import { gridImage, writePng } from '../../services/image-files'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { runBadge } from '../../../shared/api/runs'
import { callStudio, parseIntOption, parseRunRef, RUN_OPTIONS, withCliStudio } from '../studio-session'

export const runsHelp = `dcgan-studio runs [--json]
  Lists the runs in the library: id, name, status (the demo shows as a finished model), last checkpoint step.`

export const sampleHelp = `dcgan-studio sample --run RUN [--checkpoint STEP] [--erasure ID] [--count N] [--seed S] [--z FILE.json] [--scale K] [--individual] --out grid.png|DIR [--json]
  Generates N samples (default 64) from a run's checkpoint (default: the latest) and writes them as a PNG
  grid. The same seed always gives the same samples. --z renders the given z vectors instead (a JSON array
  of arrays, each as long as the model's z). --individual writes one PNG per sample into the folder --out
  (sample-0000.png, …) instead of a grid.`

export async function runsCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {})
  const out = makeOutput(values.json)
  return withCliStudio(values.library, null, async (studio) => {
    const runs = await studio.runs.list()
    const { demoRunId } = await callStudio(studio, 'library.info', {})
    for (const run of runs) {
      const { record, latestStep } = run
      const badge = runBadge(run, demoRunId)
      out.emit({
        id: record.id,
        name: record.name,
        status: record.status,
        shown: badge.label,
        step: latestStep,
        steps: record.train.steps,
        dataset: record.dataset?.id ?? null,
        datasetPresent: run.datasetPresent,
        message: record.statusMessage
      })
      out.say(
        `${record.id}  ${badge.label.padEnd(11)} ${badge.progress}  ${record.name}${record.dataset === null ? ' (imported; no dataset chosen yet)' : run.datasetPresent ? '' : ' (its dataset is not in the library)'}`
      )
    }
    if (runs.length === 0) out.say('No runs yet. Train one with "dcgan-studio train --dataset ID".')
    return 0
  })
}

export async function sampleCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    ...RUN_OPTIONS,
    count: { type: 'string' },
    seed: { type: 'string' },
    scale: { type: 'string' },
    z: { type: 'string' },
    individual: { type: 'boolean', default: false },
    out: { type: 'string' }
  })
  if (!values.run) throw new UsageError('--run RUN is required (see "dcgan-studio runs").')
  if (!values.out) throw new UsageError(values.individual ? '--out DIR is required: the folder for the PNGs.' : '--out FILE.png is required.')
  if (values.z && (values.count || values.seed)) throw new UsageError('--z gives the samples itself; leave out --count and --seed.')
  const out = makeOutput(values.json)
  const seed = parseIntOption('seed', values.seed) ?? 0
  const scale = parseIntOption('scale', values.scale) ?? 1
  return withCliStudio(values.library, parseBackend(values.backend), async (studio) => {
    const model = (await studio.runs.store.read(values.run as string)).model
    const run = parseRunRef(values)
    let images: RgbaImage[]
    let step: number | null
    let from: string
    if (values.z) {
      const vectors = readZFile(values.z, model.zDim)
      images = []
      step = 0
      // explore.render takes 256 vectors a call.
      for (let start = 0; start < vectors.length; start += 256) {
        const rendered = await callStudio(studio, 'explore.render', { run, z: vectors.slice(start, start + 256).map((z) => ({ kind: 'z' as const, z })) })
        images.push(...rendered.samples.map((s) => s.image))
        step = rendered.step
      }
      from = `the ${vectors.length} z vectors of ${values.z}`
    } else {
      const count = parseIntOption('count', values.count) ?? 64
      const result = await studio.generate({ run, model, weightSeed: 1, seed, count })
      images = result.samples.map((s) => s.image)
      step = result.step
      from = `seed ${seed}`
    }
    const target = path.resolve(values.out as string)
    if (values.individual) {
      await fs.promises.mkdir(target, { recursive: true })
      const files = images.map((_, i) => path.join(target, `sample-${String(i).padStart(4, '0')}.png`))
      for (const [i, image] of images.entries()) await writePng(files[i] as string, image, scale)
      out.emit({ out: target, files, run: values.run, step, count: images.length, ...(values.z ? { z: path.resolve(values.z) } : { seed }) })
      out.say(`Wrote ${images.length} samples of run ${values.run} at step ${step} (${from}) as PNGs into ${target}.`)
      return 0
    }
    await writePng(target, gridImage(images, Math.ceil(Math.sqrt(images.length))), scale)
    out.emit({ out: target, run: values.run, step, count: images.length, ...(values.z ? { z: path.resolve(values.z) } : { seed }) })
    out.say(`Wrote ${images.length} samples of run ${values.run} at step ${step} (${from}) to ${target}.`)
    return 0
  })
}

const ZFile = z.array(z.array(z.number()).min(1)).min(1, 'it lists no z vectors').max(10_000)

/** The z vectors of a --z file, each checked against the model's z length. */
function readZFile(file: string, zDim: number): Float32Array<ArrayBuffer>[] {
  let data: unknown
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UsageError(`Cannot read the z vectors in ${file}: ${(error as Error).message}`)
  }
  const parsed = ZFile.safeParse(data)
  if (!parsed.success) throw new UsageError(`${file} must be a JSON array of arrays of numbers (one z per sample): ${z.prettifyError(parsed.error)}`)
  const wrong = parsed.data.findIndex((v) => v.length !== zDim)
  if (wrong >= 0) throw new UsageError(`z vector ${wrong} in ${file} has ${parsed.data[wrong]?.length} numbers; this model's z has ${zDim}.`)
  return parsed.data.map((v) => new Float32Array(v))
}
