import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/select'
import { loadModel } from '../model'
import { CheckpointMeta, LatestCheckpoint, type MetricsLine } from '../../shared/formats/run'
import { readMetrics } from './metrics-log'
import { OptimizerStateIndex } from './optimizer-state'
import { gridLayout } from './sample-grid'
import { Trainer } from './trainer'
import { discDataset, maxDifference, tinyModel, tinyTrain, weightValues } from './test-support'

let root: string
let datasetDir: string
let runs = 0

beforeAll(async () => {
  await selectBackend('wasm')
  root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-trainer-'))
  datasetDir = await discDataset(root, 40)
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

function newRunDir(): string {
  return path.join(root, `run-${(runs += 1)}`)
}

async function openRun(runDir: string, train = tinyTrain()): Promise<Trainer> {
  return Trainer.open({ runDir, datasetDir, model: tinyModel(), train })
}

/** Trains `count` steps, appending each to metrics.jsonl as the run loop does. */
async function trainSteps(trainer: Trainer, count: number): Promise<MetricsLine[]> {
  const lines: MetricsLine[] = []
  for (let i = 0; i < count; i++) {
    const line = await trainer.trainStep()
    await trainer.appendMetrics(line)
    lines.push(line)
  }
  return lines
}

function losses(lines: readonly MetricsLine[]): number[][] {
  return lines.map((l) => [l.step, l.epoch, l.dLoss, l.gLoss, l.dReal, l.dFake])
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'))
}

describe('Trainer', () => {
  it('writes a checkpoint folder with both models, both optimiser states and checkpoint.json, then latest.json', async () => {
    const runDir = newRunDir()
    const trainer = await openRun(runDir)
    await trainSteps(trainer, 3)
    const written = await trainer.writeCheckpoint()
    expect(written).toEqual({ step: 3, dir: 'checkpoints/00000003' })
    const dir = path.join(runDir, 'checkpoints', '00000003')
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'discriminator', 'generator', 'optimizers.bin', 'optimizers.json'])
    expect((await readdir(path.join(dir, 'generator'))).sort()).toEqual(['model.json', 'weights.bin'])
    const meta = CheckpointMeta.parse(await readJson(path.join(dir, 'checkpoint.json')))
    expect(meta).toMatchObject({ step: 3, epoch: 0, cursor: 24 })
    expect(meta.metrics?.dLoss).toBeGreaterThan(0)
    expect(LatestCheckpoint.parse(await readJson(path.join(runDir, 'latest.json')))).toMatchObject({ step: 3, dir: '00000003' })
    const index = OptimizerStateIndex.parse(await readJson(path.join(dir, 'optimizers.json')))
    expect(index.networks.map((n) => [n.network, n.iterations])).toEqual([
      ['generator', 3],
      ['discriminator', 3]
    ])
    // Moments are named by the weights' own names, without the _N suffixes tfjs adds per process.
    expect(index.networks[0]?.moments.map((m) => m.weight)).toEqual(trainer.generator.trainableWeights.map((w) => w.originalName))
    expect(index.networks[0]?.moments[0]?.weight).toBe('g_project/kernel')
    expect(await readdir(path.join(runDir, 'checkpoints'))).toEqual(['00000003'])

    // The saved generator is the trainer's generator.
    const saved = await loadModel(path.join(dir, 'generator'))
    expect(maxDifference(weightValues(saved), weightValues(trainer.generator))).toBe(0)
    saved.dispose()
    // Writing again at the same step changes nothing.
    const before = await readFile(path.join(runDir, 'latest.json'), 'utf8')
    expect(await trainer.writeCheckpoint()).toEqual(written)
    expect(await readFile(path.join(runDir, 'latest.json'), 'utf8')).toBe(before)
    trainer.dispose()
  })

  it('resumes exactly: a run reopened from checkpoint k ends with the same weights and losses as one never stopped', async () => {
    const runDir = newRunDir()
    const K = 7
    const k = 3
    // 40 images in batches of 8: the resumed part crosses an epoch boundary, so the saved cursor matters.
    const uninterrupted = await openRun(runDir)
    await trainSteps(uninterrupted, k)
    await uninterrupted.writeCheckpoint()
    const expected = await trainSteps(uninterrupted, K - k)
    const expectedG = weightValues(uninterrupted.generator)
    const expectedD = weightValues(uninterrupted.discriminator)
    uninterrupted.dispose()

    const resumed = await openRun(runDir)
    expect(resumed.resumedFrom).toBe(k)
    expect(resumed.step).toBe(k)
    expect(resumed.notes).toContain(`Resumed from the checkpoint at step ${k}.`)
    const actual = await trainSteps(resumed, K - k)
    expect(actual.map((l) => l.epoch)).toEqual(expected.map((l) => l.epoch))
    expect(actual.at(-1)?.epoch).toBe(1)
    const [a, b] = [losses(actual).flat(), losses(expected).flat()]
    a.forEach((value, i) => expect(value).toBeCloseTo(b[i] as number, 5))
    expect(maxDifference(weightValues(resumed.generator), expectedG)).toBeLessThan(1e-5)
    expect(maxDifference(weightValues(resumed.discriminator), expectedD)).toBeLessThan(1e-5)
    // Steps after the checkpoint were dropped from the log on reopening and trained again: one line per step.
    expect((await readMetrics(path.join(runDir, 'metrics.jsonl'))).map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7])
    resumed.dispose()
  })

  it('resumes from the last complete checkpoint after a crash, removing torn checkpoints and the metrics after it', async () => {
    const runDir = newRunDir()
    const first = await openRun(runDir)
    await trainSteps(first, 2)
    await first.writeCheckpoint()
    await trainSteps(first, 2)
    first.dispose()
    const checkpoints = path.join(runDir, 'checkpoints')
    // What a crash can leave: a folder still being assembled; a renamed one whose checkpoint.json is missing
    // (not possible with our order of writes, but a user may copy a folder by hand); a complete one that
    // latest.json had not moved to yet; a metrics line cut off mid-write.
    await mkdir(path.join(checkpoints, '.tmp-00000006', 'generator'), { recursive: true })
    await writeFile(path.join(checkpoints, '.tmp-00000006', 'generator', 'model.json'), '{"modelTopo')
    await cp(path.join(checkpoints, '00000002'), path.join(checkpoints, '00000004'), { recursive: true })
    await rm(path.join(checkpoints, '00000004', 'checkpoint.json'))
    await cp(path.join(checkpoints, '00000002'), path.join(checkpoints, '00000005'), { recursive: true })
    await writeFile(path.join(runDir, 'metrics.jsonl'), (await readFile(path.join(runDir, 'metrics.jsonl'), 'utf8')) + '{"step":5,"ep')
    await writeFile(path.join(runDir, 'samples', 'step-00000004.png'), 'not a png')

    const reopened = await openRun(runDir)
    expect(reopened.step).toBe(2)
    expect(await readdir(checkpoints)).toEqual(['00000002'])
    expect(await readdir(path.join(runDir, 'samples'))).toEqual([])
    expect((await readMetrics(path.join(runDir, 'metrics.jsonl'))).map((l) => l.step)).toEqual([1, 2])
    expect(reopened.notes).toEqual(
      expect.arrayContaining([
        'Resumed from the checkpoint at step 2.',
        'Removed checkpoints/.tmp-00000006, a checkpoint an interrupted session left unfinished.',
        'Removed checkpoints/00000004, a checkpoint an interrupted session left unfinished.',
        'Removed checkpoints/00000005, a checkpoint an interrupted session left unfinished.'
      ])
    )
    const saved = await loadModel(path.join(checkpoints, '00000002', 'generator'))
    expect(maxDifference(weightValues(reopened.generator), weightValues(saved))).toBe(0)
    saved.dispose()
    await trainSteps(reopened, 1)
    reopened.dispose()
  })

  it('starts fresh from a run folder whose first checkpoint never completed', async () => {
    const runDir = newRunDir()
    await mkdir(path.join(runDir, 'checkpoints', '.tmp-00000010'), { recursive: true })
    await mkdir(path.join(runDir, 'checkpoints', '00000010'), { recursive: true })
    const trainer = await openRun(runDir)
    expect(trainer.step).toBe(0)
    expect(trainer.resumedFrom).toBeNull()
    expect(await readdir(path.join(runDir, 'checkpoints'))).toEqual([])
    trainer.dispose()
  })

  it('resumes from a checkpoint of step 0 (stopped before the first step: Adam has no moments yet)', async () => {
    const runDir = newRunDir()
    const trainer = await openRun(runDir)
    expect(await trainer.writeCheckpoint()).toEqual({ step: 0, dir: 'checkpoints/00000000' })
    const index = OptimizerStateIndex.parse(await readJson(path.join(runDir, 'checkpoints', '00000000', 'optimizers.json')))
    expect(index.networks.map((n) => n.moments.length)).toEqual([0, 0])
    const [expected] = await trainSteps(trainer, 1)
    trainer.dispose()
    const resumed = await openRun(runDir)
    expect(resumed.resumedFrom).toBe(0)
    const [actual] = await trainSteps(resumed, 1)
    expect(actual?.dLoss).toBe(expected?.dLoss)
    expect(actual?.gLoss).toBe(expected?.gLoss)
    resumed.dispose()
  })

  it('refuses a checkpoint whose architecture differs from the run, saying so', async () => {
    const runDir = newRunDir()
    const trainer = await openRun(runDir)
    await trainer.writeCheckpoint()
    trainer.dispose()
    await expect(Trainer.open({ runDir, datasetDir, model: tinyModel({ zDim: 64 }), train: tinyTrain() })).rejects.toThrow(
      /holds a generator from \[100\] noise .* but the run's model is \[64\]/
    )
  })

  it('writes the fixed-noise grid as a PNG, the same samples whenever the same step is drawn', async () => {
    const runDir = newRunDir()
    const train = tinyTrain({ sampleCount: 10 })
    const trainer = await openRun(runDir, train)
    const grid = await trainer.writeSampleGrid()
    expect(grid).toMatchObject({ step: 0, file: 'samples/step-00000000.png' })
    expect(grid.diversity).toBeGreaterThan(0)
    const file = path.join(runDir, grid.file)
    const meta = await sharp(file).metadata()
    const layout = gridLayout(10, 32)
    expect([meta.width, meta.height, meta.channels]).toEqual([layout.width, layout.height, 1])
    expect([layout.columns, layout.rows]).toEqual([4, 3])
    const first = await readFile(file)
    // Drawing a grid leaves the model as it was (step 0 uses batch statistics without keeping them).
    const weights = weightValues(trainer.generator)
    expect((await trainer.writeSampleGrid()).diversity).toBe(grid.diversity)
    expect(await readFile(file)).toEqual(first)
    expect(maxDifference(weightValues(trainer.generator), weights)).toBe(0)
    await trainSteps(trainer, 2)
    await trainer.writeCheckpoint()
    const atTwo = await trainer.writeSampleGrid()
    trainer.dispose()
    const again = await openRun(runDir, train)
    expect((await again.writeSampleGrid()).diversity).toBe(atTwo.diversity)
    again.dispose()
  })

  it('keeps the tensor count flat across steps, sample grids and checkpoints, and frees everything on dispose', async () => {
    const baseline = tf.memory().numTensors
    const trainer = await openRun(newRunDir())
    await trainSteps(trainer, 1) // Adam makes its moment variables on the first step.
    await trainer.writeSampleGrid()
    await trainer.writeCheckpoint()
    const settled = tf.memory().numTensors
    for (let i = 0; i < 12; i++) {
      await trainSteps(trainer, 1)
      if (i % 4 === 0) await trainer.writeSampleGrid()
      if (i % 6 === 0) await trainer.writeCheckpoint()
      expect(tf.memory().numTensors).toBe(settled)
    }
    trainer.dispose()
    expect(tf.memory().numTensors).toBe(baseline)
  })
})

describe('BatchNorm moving statistics', () => {
  it('start from the first batch, so samples drawn with them are not a flat grey after a few steps', async () => {
    const trainer = await openRun(newRunDir())
    try {
      await trainSteps(trainer, 3)
      const spread = tf.tidy(() => {
        const z = tf.randomUniform([16, tinyModel().zDim], -1, 1, 'float32', 7)
        const inference = trainer.generator.predict(z) as tf.Tensor
        const batch = trainer.generator.apply(z, { training: true }) as tf.Tensor
        return [tf.moments(inference).variance.dataSync()[0] as number, tf.moments(batch).variance.dataSync()[0] as number]
      })
      const [inferenceVariance, batchVariance] = spread as [number, number]
      // With the initial variance of 1 still dominating the average, inference output would be ~100× flatter.
      expect(inferenceVariance).toBeGreaterThan(batchVariance * 0.3)
    } finally {
      trainer.dispose()
    }
  })
})
