import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/select'
import { LatestCheckpoint, type TrainConfig, TrainEvent } from '../../shared/formats/run'
import { readMetrics } from './metrics-log'
import { runTraining } from './run-loop'
import { Trainer } from './trainer'
import { TrainingControl } from './training-control'
import { discDataset, tinyModel, tinyTrain } from './test-support'

let root: string
let datasetDir: string
let runs = 0

beforeAll(async () => {
  await selectBackend('wasm')
  root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-run-loop-'))
  datasetDir = await discDataset(root, 24)
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

function newRunDir(): string {
  return path.join(root, `run-${(runs += 1)}`)
}

/** Every event, each checked against the shared schema as the host will check it. */
function recorder(onEvent?: (event: TrainEvent) => void): { events: TrainEvent[]; onEvent: (event: TrainEvent) => void } {
  const events: TrainEvent[] = []
  return {
    events,
    onEvent: (event) => {
      events.push(TrainEvent.parse(event))
      onEvent?.(event)
    }
  }
}

function kinds(events: readonly TrainEvent[]): string[] {
  return events.map((e) => (e.kind === 'progress' ? `progress ${e.metrics.step}` : `${e.kind} ${e.step}`))
}

async function latestStep(runDir: string): Promise<number> {
  return LatestCheckpoint.parse(JSON.parse(await readFile(path.join(runDir, 'latest.json'), 'utf8'))).step
}

async function train(runDir: string, train: TrainConfig, steps: number, onEvent?: (event: TrainEvent, control: TrainingControl) => void) {
  const trainer = await Trainer.open({ runDir, datasetDir, model: tinyModel(), train })
  const control = new TrainingControl()
  const record = recorder((event) => onEvent?.(event, control))
  try {
    const finished = await runTraining(trainer, { steps, control, onEvent: record.onEvent })
    return { finished, events: record.events }
  } finally {
    trainer.dispose()
  }
}

describe('runTraining', () => {
  it('trains to the target step with samples and checkpoints on schedule, and a final checkpoint', async () => {
    const runDir = newRunDir()
    const { finished, events } = await train(runDir, tinyTrain({ sampleEvery: 2, checkpointEvery: 3 }), 7)
    expect(kinds(events)).toEqual([
      'started 0',
      'sample 0',
      'progress 1',
      'progress 2',
      'sample 2',
      'progress 3',
      'checkpoint 3',
      'progress 4',
      'sample 4',
      'progress 5',
      'progress 6',
      'sample 6',
      'checkpoint 6',
      'progress 7',
      'sample 7',
      'checkpoint 7',
      'finished 7'
    ])
    expect(finished).toEqual(events.at(-1))
    expect(finished.reason).toBe('completed')
    expect(events[0]).toMatchObject({ kind: 'started', resumedFrom: null, backend: 'wasm', batchSize: 8, notes: [] })
    const progress = events.filter((e) => e.kind === 'progress')
    expect(progress.every((e) => e.totalSteps === 7 && e.etaSeconds !== null)).toBe(true)
    expect(progress.at(-1)?.etaSeconds).toBe(0)
    expect(events.find((e) => e.kind === 'sample')).toMatchObject({ file: 'samples/step-00000000.png' })
    expect(events.find((e) => e.kind === 'checkpoint')).toMatchObject({ dir: 'checkpoints/00000003' })
    expect(await latestStep(runDir)).toBe(7)
    expect(await readdir(path.join(runDir, 'checkpoints'))).toEqual(['00000003', '00000006', '00000007'])
    expect((await readMetrics(path.join(runDir, 'metrics.jsonl'))).map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7])

    // Going on to 9 resumes at 7 and leaves the samples it already has.
    const more = await train(runDir, tinyTrain({ sampleEvery: 2, checkpointEvery: 3 }), 9)
    expect(kinds(more.events)).toEqual(['started 7', 'progress 8', 'sample 8', 'progress 9', 'checkpoint 9', 'sample 9', 'finished 9'])
    expect(more.events[0]).toMatchObject({ resumedFrom: 7 })
  })

  it('pauses, resumes and stops between steps, and stopping writes a checkpoint', async () => {
    const runDir = newRunDir()
    let progressWhilePaused = 0
    let paused = false
    const { finished, events } = await train(runDir, tinyTrain(), 1000, (event, control) => {
      if (event.kind === 'progress' && paused) progressWhilePaused += 1
      if (event.kind === 'progress' && event.metrics.step === 2) control.pause()
      if (event.kind === 'paused') {
        paused = true
        setTimeout(() => {
          paused = false
          control.resume()
        }, 150)
      }
      if (event.kind === 'progress' && event.metrics.step === 4) control.stop()
    })
    expect(progressWhilePaused).toBe(0)
    expect(kinds(events)).toEqual([
      'started 0',
      'sample 0',
      'progress 1',
      'progress 2',
      'paused 2',
      'resumed 2',
      'progress 3',
      'progress 4',
      'sample 4',
      'checkpoint 4',
      'finished 4'
    ])
    expect(finished).toMatchObject({ reason: 'stopped', step: 4 })
    expect(finished.message).toMatch(/Stopped at step 4; a checkpoint of this step is saved/)
    expect(await latestStep(runDir)).toBe(4)
  })

  it('stops at once when stopped while paused', async () => {
    const runDir = newRunDir()
    const { finished, events } = await train(runDir, tinyTrain(), 1000, (event, control) => {
      if (event.kind === 'progress' && event.metrics.step === 1) control.pause()
      if (event.kind === 'paused') setTimeout(() => control.stop(), 50)
    })
    expect(kinds(events).slice(2)).toEqual(['progress 1', 'paused 1', 'sample 1', 'checkpoint 1', 'finished 1'])
    expect(finished.reason).toBe('stopped')
  })

  it('fails with a clear message when training diverges, leaving latest.json on the last good checkpoint', async () => {
    const runDir = newRunDir()
    await train(runDir, tinyTrain({ checkpointEvery: 3 }), 3)
    expect(await latestStep(runDir)).toBe(3)
    // Resumed with an absurd learning rate (the run settings allow at most 1; the engine must cope anyway):
    // the first update blows the networks up.
    const absurd: TrainConfig = { ...tinyTrain({ checkpointEvery: 1 }), learningRate: 1e6 }
    const { finished, events } = await train(runDir, absurd, 10)
    expect(finished.reason).toBe('failed')
    expect(finished.step).toBe(4)
    expect(finished.message).toMatch(
      /^(D|G) loss (exploded to [\d.e+]+|became NaN|became infinite) at step 4.*; the last good checkpoint is step 3 — lower the learning rate and resume or branch from it\.$/
    )
    expect(events.some((e) => e.kind === 'checkpoint')).toBe(false)
    expect(await latestStep(runDir)).toBe(3)
    expect(await readdir(path.join(runDir, 'checkpoints'))).toEqual(['00000003'])
  })

  it('trains a dataset smaller than the batch with batches of all of it, and says so', async () => {
    const small = await discDataset(root, 5, 'five-discs')
    const trainer = await Trainer.open({ runDir: newRunDir(), datasetDir: small, model: tinyModel(), train: tinyTrain({ batchSize: 16 }) })
    const record = recorder()
    const finished = await runTraining(trainer, { steps: 3, onEvent: record.onEvent })
    trainer.dispose()
    expect(finished.reason).toBe('completed')
    const started = record.events[0]
    expect(started).toMatchObject({ kind: 'started', batchSize: 5 })
    expect(started?.kind === 'started' && started.notes.join(' ')).toMatch(/5 image\(s\), fewer than the batch size of 16/)
    expect(record.events[1]).toMatchObject({ kind: 'warning', code: 'small-dataset', step: 0 })
    expect(record.events.filter((e) => e.kind === 'progress').map((e) => e.metrics.imagesPerSecond > 0)).toEqual([true, true, true])
  })
})
