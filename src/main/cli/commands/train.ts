import type { Studio } from '../../services/studio'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { type Output, makeOutput } from '../output'
import { startRecreateDataset } from '../../services/recreate-dataset'
import { exitCodeIfCancelled, followJob, parseIntOption, parseNumberOption, withCliStudio } from '../studio-session'

export const trainHelp = `dcgan-studio train --dataset ID [--size S] [--width W] [--batch B] [--lr LR] [--beta1 B1] [--kernel 4|5]
                   [--steps N] [--checkpoint-every N] [--sample-every N] [--seed S] [--name N] [--backend NAME] [--json]
  Creates a run with the paper's defaults (batch 128, Adam lr 0.0002, β1 0.5, N(0, 0.02) init, LeakyReLU 0.2)
  and trains it, printing progress. Ctrl+C stops after the current step with a checkpoint. --json prints one
  JSON object per event and a final one with the run id.`

export const resumeHelp = `dcgan-studio resume RUN [--steps N] [--dataset ID] [--recreate-dataset] [--json]
  Continues a run from its last complete checkpoint (also after a crash), until N total steps.
  --dataset trains it on that dataset from now on (a model imported from elsewhere has none until then).
  --recreate-dataset first makes the run's dataset again when it is not in the library but the run records
  how it was made (the demo's procedural faces: make-faces with its count, size and seed, then an import).`

export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    dataset: { type: 'string' },
    size: { type: 'string' },
    width: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    beta1: { type: 'string' },
    kernel: { type: 'string' },
    steps: { type: 'string' },
    'checkpoint-every': { type: 'string' },
    'sample-every': { type: 'string' },
    seed: { type: 'string' },
    name: { type: 'string' }
  })
  if (!values.dataset) throw new UsageError('--dataset ID is required (see the ids with "dcgan-studio import").')
  const out = makeOutput(values.json)
  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const dataset = await studio.datasets.get(values.dataset as string)
    const size = parseIntOption('size', values.size)
    if (size !== undefined && size !== dataset.size) {
      throw new UsageError(`The dataset "${dataset.name}" holds ${dataset.size}px images; import it again with --size ${size} to train at that size.`)
    }
    const width = parseIntOption('width', values.width)
    const kernel = parseIntOption('kernel', values.kernel)
    const train = {
      batchSize: parseIntOption('batch', values.batch),
      learningRate: parseNumberOption('lr', values.lr),
      beta1: parseNumberOption('beta1', values.beta1),
      steps: parseIntOption('steps', values.steps),
      checkpointEvery: parseIntOption('checkpoint-every', values['checkpoint-every']),
      sampleEvery: parseIntOption('sample-every', values['sample-every']),
      seed: parseIntOption('seed', values.seed)
    }
    const record = await studio.runs.create({
      datasetId: dataset.id,
      ...(values.name ? { name: values.name } : {}),
      model: { ...(width ? { genWidth: width, discWidth: width } : {}), ...(kernel ? { kernelSize: kernel as 4 | 5 } : {}) },
      train: Object.fromEntries(Object.entries(train).filter(([, v]) => v !== undefined))
    })
    out.say(`Created run ${record.id} ("${record.name}").`)
    return follow(studio, record.id, undefined, out, interrupted)
  })
}

export async function resumeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    argv,
    { steps: { type: 'string' }, dataset: { type: 'string' }, 'recreate-dataset': { type: 'boolean', default: false } },
    true
  )
  const id = positionals[0]
  if (!id || positionals.length > 1) throw new UsageError('Give the RUN id to resume (see "dcgan-studio runs").')
  const out = makeOutput(values.json)
  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const run = (await studio.runs.list()).find((r) => r.record.id === id)
    if (values.dataset) await studio.runs.chooseDataset(id, values.dataset)
    const dataset = run?.record.dataset
    if (run && !run.datasetPresent && dataset?.recipe) {
      if (!values['recreate-dataset']) {
        throw new UsageError(
          `The dataset "${dataset.name}" of run ${id} is not in this library, but the run records how it was made. ` +
            `Run "dcgan-studio resume ${id} --recreate-dataset" to make it again first (${dataset.recipe.count} procedural faces; several minutes).`
        )
      }
      const recreated = await recreateDataset(studio, id, out, interrupted)
      if (recreated !== 0) return recreated
    }
    return follow(studio, id, parseIntOption('steps', values.steps), out, interrupted)
  })
}

/** Makes a run's missing dataset again from its recipe, with progress; Ctrl+C cancels (exit 130). */
async function recreateDataset(studio: Studio, runId: string, out: Output, interrupted: Promise<void>): Promise<number> {
  const { job, done } = await startRecreateDataset({ runs: studio.runs, datasets: studio.datasets, jobs: studio.jobs }, runId, false)
  const off = followJob(studio, job, out)
  void interrupted.then(() => studio.jobs.cancel(job.id).catch(() => undefined))
  try {
    const made = await done
    out.emit({ event: 'recreated', runId, datasetId: made.datasetId, count: made.count })
    out.say(`Made dataset ${made.datasetId} again (${made.count} images).`)
    return 0
  } catch (err) {
    return exitCodeIfCancelled(err, out)
  } finally {
    off()
  }
}

/** Trains a run to its target, printing its events; Ctrl+C stops it gracefully (with a checkpoint). */
async function follow(studio: Studio, runId: string, steps: number | undefined, out: Output, interrupted: Promise<void>): Promise<number> {
  let lastPrinted = 0
  const off = studio.events.subscribe((name, payload) => {
    if (name !== 'runs.event') return
    const { runId: id, event } = payload as { runId: string; event: import('../../../shared/formats/run').TrainEvent }
    if (id !== runId) return
    out.emit({ event: 'train', runId, ...event })
    switch (event.kind) {
      case 'started':
        out.say(`Training on ${event.backend} from step ${event.step} (batch ${event.batchSize}).${event.notes.map((n) => `\n  note: ${n}`).join('')}`)
        return
      case 'progress': {
        if (Date.now() - lastPrinted < 2000 && event.metrics.step !== event.totalSteps) return
        lastPrinted = Date.now()
        const m = event.metrics
        const eta = event.etaSeconds === null ? '' : ` · ETA ${Math.round(event.etaSeconds)} s`
        out.say(
          `step ${m.step}/${event.totalSteps} epoch ${m.epoch} · D ${m.dLoss.toFixed(3)} · G ${m.gLoss.toFixed(3)} · D(x) ${m.dReal.toFixed(2)} · D(G(z)) ${m.dFake.toFixed(2)} · ${m.imagesPerSecond.toFixed(1)} img/s${eta}`
        )
        return
      }
      case 'checkpoint':
        out.say(`  checkpoint at step ${event.step}`)
        return
      case 'warning':
        out.say(`  warning: ${event.message}`)
        return
      case 'sample':
      case 'paused':
      case 'resumed':
      case 'finished':
        return
    }
  })
  try {
    await studio.runs.start(runId, steps)
    void interrupted.then(() => {
      out.say('Stopping after the current step (writing a checkpoint)…')
      return studio.runs.stop(runId).catch(() => undefined)
    })
    await studio.runs.waitUntilFinished(runId)
    const record = await studio.runs.store.read(runId)
    const latest = await studio.runs.store.latest(runId)
    out.emit({ event: 'done', runId, status: record.status, message: record.statusMessage, step: latest?.step ?? 0 })
    out.say(`Run ${runId}: ${record.status} — ${record.statusMessage}`)
    return record.status === 'completed' || record.status === 'stopped' ? 0 : 1
  } finally {
    off()
  }
}
