import * as path from 'node:path'
import { gridImage, writePng } from '../../services/image-files'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { runBadge } from '../../../shared/api/runs'
import { callStudio, parseIntOption, parseRunRef, RUN_OPTIONS, withCliStudio } from '../studio-session'

export const runsHelp = `dcgan-studio runs [--json]
  Lists the runs in the library: id, name, status (the demo shows as a finished model), last checkpoint step.`

export const sampleHelp = `dcgan-studio sample --run RUN [--checkpoint STEP] [--erasure ID] [--count N] [--seed S] [--scale K] --out grid.png [--json]
  Generates N samples (default 64) from a run's checkpoint (default: the latest) and writes them as a PNG
  grid. The same seed always gives the same samples.`

export async function runsCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {})
  const out = makeOutput(values.json)
  return withCliStudio(values.library, null, async (studio) => {
    const runs = await studio.runs.list()
    const { demoRunId } = await callStudio(studio, 'library.info', {})
    for (const run of runs) {
      const { record, latestStep } = run
      const badge = runBadge(run, demoRunId)
      out.emit({ id: record.id, name: record.name, status: record.status, shown: badge.label, step: latestStep, steps: record.train.steps, dataset: record.dataset?.id ?? null, datasetPresent: run.datasetPresent, message: record.statusMessage })
      out.say(`${record.id}  ${badge.label.padEnd(11)} ${badge.progress}  ${record.name}${record.dataset === null ? ' (imported; no dataset chosen yet)' : run.datasetPresent ? '' : ' (its dataset is not in the library)'}`)
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
    out: { type: 'string' }
  })
  if (!values.run) throw new UsageError('--run RUN is required (see "dcgan-studio runs").')
  if (!values.out) throw new UsageError('--out FILE.png is required.')
  const out = makeOutput(values.json)
  const count = parseIntOption('count', values.count) ?? 64
  const seed = parseIntOption('seed', values.seed) ?? 0
  const scale = parseIntOption('scale', values.scale) ?? 1
  return withCliStudio(values.library, parseBackend(values.backend), async (studio) => {
    const result = await studio.generate({
      run: parseRunRef(values),
      model: (await studio.runs.store.read(values.run as string)).model,
      weightSeed: 1,
      seed,
      count
    })
    const file = path.resolve(values.out as string)
    await writePng(file, gridImage(result.samples.map((s) => s.image), Math.ceil(Math.sqrt(count))), scale)
    out.emit({ out: file, run: values.run, step: result.step, seed, count, backend: result.backend })
    out.say(`Wrote ${count} samples of run ${values.run} at step ${result.step} (seed ${seed}) to ${file}.`)
    return 0
  })
}
