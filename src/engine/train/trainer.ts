import { access, mkdir } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { ModelConfig } from '../../shared/formats/model'
import {
  type CheckpointMeta,
  type LatestCheckpoint,
  type MetricsLine,
  RUN_FILES,
  RUN_FORMAT_VERSION,
  sampleFileName,
  type TrainConfig
} from '../../shared/formats/run'
import { fillNoise, noiseForSeed, Rng } from '../../shared/latent/random'
import { DatasetReader } from '../data/dataset-reader'
import { buildDiscriminator, buildGenerator, loadModel, saveModel } from '../model'
import { syncFile, writeFileAtomic } from '../../node/atomic-files'
import { createAdam } from './adam'
import { type GanPair, type StepLosses, logitsOf, trainableVariables, trainGanStep, withBatchNormMomentum, withFrozenMovingStats } from './gan-step'
import { divergedWeightsMessage } from './health'
import { appendMetrics, truncateMetrics } from './metrics-log'
import { loadOptimizerStates, type OptimizedNetwork, saveOptimizerStates } from './optimizer-state'
import { publishCheckpoint, recoverRun, runPaths, runRelative, type RunPaths } from './run-folder'
import { encodeSampleGrid, removeSamplesAfter, sampleDiversity } from './sample-grid'

/**
 * One training run's state in the engine: G and D, their Adam optimisers, the data stream and the noise RNG,
 * bound to a run folder. It trains one step at a time and writes checkpoints, sample grids and metrics;
 * run-loop.ts decides when. Opening a run folder that has a checkpoint continues it exactly where it was.
 */

export interface TrainerOptions {
  /** `runs/<id>/`; created when missing. */
  runDir: string
  /** `datasets/<id>/`. */
  datasetDir: string
  model: ModelConfig
  train: TrainConfig
}

export interface CheckpointWritten {
  step: number
  /** Run-relative folder, e.g. `checkpoints/00000500`. */
  dir: string
}

export interface SampleGrid {
  step: number
  /** Run-relative file, e.g. `samples/step-00000500.png`. */
  file: string
  /** Mean RMS distance between two different samples (see sampleDiversity); null for a single sample. */
  diversity: number | null
}

/** Thrown instead of writing a checkpoint of weights that are no longer finite. */
export class DivergedError extends Error {
  constructor(
    readonly step: number,
    message: string
  ) {
    super(message)
    this.name = 'DivergedError'
  }
}

/**
 * Adam's ε as in PyTorch (1e-8), the reference the paper's hyper-parameters were tuned with; tfjs would
 * otherwise take its backend's float epsilon (1e-7).
 */
export const ADAM_EPSILON = 1e-8

export class Trainer {
  /** The checkpoint step this session continued from; null for a fresh run. */
  readonly resumedFrom: number | null
  private stepValue: number
  private lastMetrics: CheckpointMeta['metrics']
  private latest: LatestCheckpoint | null
  private readonly zBuffer: Float32Array
  private disposed = false

  private constructor(
    readonly runDir: string,
    readonly model: ModelConfig,
    readonly train: TrainConfig,
    private readonly paths: RunPaths,
    private readonly data: DatasetReader,
    private readonly pair: GanPair,
    private readonly rng: Rng,
    /** The fixed z of the sample grid: sample i is `noiseForSeed(train.seed, i)`, the same in every session. */
    private readonly fixedNoise: tf.Tensor2D,
    private readonly discriminatorModel: tf.LayersModel,
    resumed: CheckpointMeta | null,
    latest: LatestCheckpoint | null,
    /** What the user should know about this session (resumed, cleaned up, small dataset …). */
    readonly notes: readonly string[]
  ) {
    this.stepValue = resumed?.step ?? 0
    this.lastMetrics = resumed?.metrics ?? null
    this.latest = latest
    this.resumedFrom = resumed ? resumed.step : null
    this.zBuffer = new Float32Array(data.batchSize * model.zDim)
  }

  /**
   * Opens a run folder: continues from the checkpoint latest.json names (removing whatever a crash left half
   * written after it), or starts fresh with weights seeded from `train.seed`.
   */
  static async open(options: TrainerOptions): Promise<Trainer> {
    const { runDir, datasetDir, model, train } = options
    const paths = runPaths(runDir)
    await mkdir(paths.samples, { recursive: true })
    const recovered = await recoverRun(runDir)
    const meta = recovered.meta
    const notes: string[] = []
    if (meta) notes.push(`Resumed from the checkpoint at step ${meta.step}.`)
    for (const removed of recovered.removed) notes.push(`Removed ${removed}, a checkpoint an interrupted session left unfinished.`)
    const resumeStep = meta?.step ?? 0
    const dropped = await truncateMetrics(paths.metrics, resumeStep)
    if (dropped > 0) notes.push(`Dropped ${dropped} metrics line(s) after step ${resumeStep}; those steps are trained again.`)
    await removeSamplesAfter(paths.samples, resumeStep)

    const data = await DatasetReader.open(datasetDir, {
      batchSize: train.batchSize,
      seed: train.seed,
      ...(meta && { cursor: { epoch: meta.epoch, position: meta.cursor } }),
      expect: { size: model.imageSize, channels: model.channels }
    })
    if (data.batchSize < train.batchSize) {
      notes.push(
        `The dataset has ${data.count} image(s), fewer than the batch size of ${train.batchSize}: ` +
          `every batch is the whole dataset (${data.batchSize} images).`
      )
    }
    // Everything made so far, freed again if a later part fails (a damaged checkpoint, a shape mismatch).
    const models: tf.LayersModel[] = []
    const optimizers: tf.Optimizer[] = []
    try {
      const checkpointDir = meta ? paths.checkpoint(meta.step) : null
      const generator = checkpointDir ? await loadModel(path.join(checkpointDir, RUN_FILES.generator)) : buildGenerator(model, train.seed)
      models.push(generator)
      const discriminator = checkpointDir ? await loadModel(path.join(checkpointDir, RUN_FILES.discriminator)) : buildDiscriminator(model, train.seed)
      models.push(discriminator)
      if (checkpointDir) checkArchitecture(checkpointDir, model, generator, discriminator)
      const generatorOptimizer = createAdam(train.learningRate, train.beta1, train.beta2, ADAM_EPSILON)
      const discriminatorOptimizer = createAdam(train.learningRate, train.beta1, train.beta2, ADAM_EPSILON)
      optimizers.push(generatorOptimizer, discriminatorOptimizer)
      const pair: GanPair = {
        generator,
        discriminatorLogits: logitsOf(discriminator),
        generatorOptimizer,
        discriminatorOptimizer,
        generatorVariables: trainableVariables(generator),
        discriminatorVariables: trainableVariables(discriminator)
      }
      if (checkpointDir) await loadOptimizerStates(checkpointDir, optimizedNetworks(pair, discriminator))
      const rng = new Rng(meta ? meta.rng : train.seed)
      const fixed = new Float32Array(train.sampleCount * model.zDim)
      for (let i = 0; i < train.sampleCount; i++) fixed.set(noiseForSeed(train.seed, i, model.zDim, model.noise), i * model.zDim)
      const fixedNoise = tf.tensor2d(fixed, [train.sampleCount, model.zDim])
      return new Trainer(runDir, model, train, paths, data, pair, rng, fixedNoise, discriminator, meta, recovered.latest, notes)
    } catch (error) {
      for (const m of models) m.dispose()
      for (const o of optimizers) o.dispose()
      data.close()
      throw error
    }
  }

  /** Steps trained so far (the step of the next checkpoint or sample grid). */
  get step(): number {
    return this.stepValue
  }

  /** Epochs completed. */
  get epoch(): number {
    return this.data.cursor.epoch
  }

  /** The batch size in use (smaller than asked when the dataset is smaller). */
  get batchSize(): number {
    return this.data.batchSize
  }

  /** Images in the dataset. */
  get datasetSize(): number {
    return this.data.count
  }

  /** The step of the last complete checkpoint (latest.json), or null. */
  get lastCheckpointStep(): number | null {
    return this.latest?.step ?? null
  }

  get generator(): tf.LayersModel {
    return this.pair.generator
  }

  get discriminator(): tf.LayersModel {
    return this.discriminatorModel
  }

  /** One D update and one G update on the next batch. The returned values are NaN when training diverged. */
  async trainStep(): Promise<MetricsLine> {
    this.assertOpen()
    const started = performance.now()
    const { images, epoch } = await this.data.nextBatch()
    let losses
    try {
      fillNoise(this.zBuffer, this.model.noise, this.rng)
      const step = (): Promise<StepLosses> => trainGanStep(this.pair, images, this.zBuffer)
      losses = this.stepValue === 0 ? await withBatchNormMomentum([this.pair.generator, this.pair.discriminatorLogits], 0, step) : await step()
    } finally {
      images.dispose()
    }
    this.stepValue += 1
    const seconds = (performance.now() - started) / 1000
    const finite = [losses.dLoss, losses.gLoss, losses.dReal, losses.dFake].every(Number.isFinite)
    if (finite) this.lastMetrics = { ...losses }
    return {
      step: this.stepValue,
      epoch,
      ...losses,
      imagesPerSecond: seconds > 0 ? this.data.batchSize / seconds : 0,
      time: Date.now()
    }
  }

  /** Appends one line to metrics.jsonl. */
  async appendMetrics(line: MetricsLine): Promise<void> {
    this.assertOpen()
    await appendMetrics(this.paths.metrics, line)
  }

  /**
   * Writes the checkpoint of the current step and makes it the latest. Does nothing when the latest
   * checkpoint is already this step. Refuses (DivergedError) when any weight or optimiser moment is NaN or
   * infinite, so latest.json only ever names a state worth resuming.
   */
  async writeCheckpoint(): Promise<CheckpointWritten> {
    this.assertOpen()
    const step = this.stepValue
    if (this.latest?.step !== step) {
      const networks = optimizedNetworks(this.pair, this.discriminatorModel)
      if (!(await this.stateIsFinite(networks))) throw new DivergedError(step, divergedWeightsMessage(step, this.lastCheckpointStep))
      // Flush the metrics first: once latest.json moves, no step up to it is trained again to rewrite them.
      await syncFile(this.paths.metrics)
      const cursor = this.data.cursor
      const meta: CheckpointMeta = {
        formatVersion: RUN_FORMAT_VERSION,
        step,
        epoch: cursor.epoch,
        cursor: cursor.position,
        rng: [...this.rng.state()] as [number, number, number, number],
        metrics: this.lastMetrics,
        writtenAt: new Date().toISOString()
      }
      this.latest = await publishCheckpoint(this.runDir, meta, async (dir) => {
        await saveModel(this.pair.generator, path.join(dir, RUN_FILES.generator))
        await saveModel(this.discriminatorModel, path.join(dir, RUN_FILES.discriminator))
        await saveOptimizerStates(dir, networks)
      })
    }
    return { step, dir: runRelative(RUN_FILES.checkpoints, this.latest.dir) }
  }

  /**
   * Writes the fixed-noise grid for the current step to `samples/step-<step>.png` (atomically). Samples use
   * G's BatchNorm moving statistics, as the explorer does for a checkpoint — except at step 0, where those are
   * still 0 and 1 and would give flat grey, so the grid's own batch statistics are used (without changing G).
   */
  async writeSampleGrid(): Promise<SampleGrid> {
    this.assertOpen()
    const step = this.stepValue
    const { generator } = this.pair
    const images = tf.tidy(() =>
      step === 0
        ? withFrozenMovingStats(generator, () => generator.apply(this.fixedNoise, { training: true }) as tf.Tensor4D)
        : (generator.apply(this.fixedNoise, { training: false }) as tf.Tensor4D)
    )
    let png: Buffer
    let diversity: number | null
    try {
      png = await encodeSampleGrid(images)
      diversity = await sampleDiversity(images)
    } finally {
      images.dispose()
    }
    await writeFileAtomic(this.paths.sample(step), png)
    return { step, file: runRelative(RUN_FILES.samples, sampleFileName(step)), diversity }
  }

  /** Whether the sample grid of `step` is already on disk. */
  async hasSampleGrid(step: number): Promise<boolean> {
    return access(this.paths.sample(step)).then(
      () => true,
      () => false
    )
  }

  /** Frees every tensor (models, optimiser state, fixed noise) and closes the dataset. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.pair.generator.dispose()
    this.discriminatorModel.dispose()
    this.pair.generatorOptimizer.dispose()
    this.pair.discriminatorOptimizer.dispose()
    this.fixedNoise.dispose()
    this.data.close()
  }

  /** True when every weight, BatchNorm statistic and Adam moment of both networks is finite. */
  private async stateIsFinite(networks: readonly OptimizedNetwork[]): Promise<boolean> {
    const moments = (await Promise.all(networks.map((n) => n.optimizer.getWeights()))).flat()
    const tensors = [
      ...this.pair.generator.weights.map((w) => w.read()),
      ...this.discriminatorModel.weights.map((w) => w.read()),
      ...moments.map((m) => m.tensor)
    ]
    // x − x is 0 for every finite x and NaN for NaN and ±Infinity, and a sum of zeros cannot overflow.
    const check = tf.tidy(() => tf.addN(tensors.filter((t) => t.dtype === 'float32').map((t) => tf.sub(t, t).sum())))
    const value = (await check.data())[0]
    check.dispose()
    // getWeights() made fresh tensors for the iteration counts; the moments themselves belong to the optimisers.
    for (const m of moments) if (m.name === 'iter') m.tensor.dispose()
    return value === 0
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error(`The trainer for ${this.runDir} was disposed; open the run again to continue.`)
  }
}

function optimizedNetworks(pair: GanPair, discriminator: tf.LayersModel): OptimizedNetwork[] {
  return [
    { name: 'generator', model: pair.generator, optimizer: pair.generatorOptimizer, variables: pair.generatorVariables },
    { name: 'discriminator', model: discriminator, optimizer: pair.discriminatorOptimizer, variables: pair.discriminatorVariables }
  ]
}

/** A checkpoint must hold networks of the run's shape; anything else would fail deep inside tfjs. */
function checkArchitecture(dir: string, config: ModelConfig, generator: tf.LayersModel, discriminator: tf.LayersModel): void {
  const image = [config.imageSize, config.imageSize, config.channels]
  const shapeOf = (tensor: tf.SymbolicTensor | undefined): string => JSON.stringify(tensor?.shape.slice(1) ?? [])
  const expected = { z: JSON.stringify([config.zDim]), image: JSON.stringify(image) }
  const found = {
    z: shapeOf(generator.inputs[0]),
    generated: shapeOf(generator.outputs[0]),
    judged: shapeOf(discriminator.inputs[0])
  }
  if (found.z !== expected.z || found.generated !== expected.image || found.judged !== expected.image) {
    throw new Error(
      `The checkpoint ${dir} holds a generator from ${found.z} noise to ${found.generated} images and a discriminator ` +
        `of ${found.judged} images, but the run's model is ${expected.z} → ${expected.image}. ` +
        'The run settings and its checkpoints disagree; branch a new run instead.'
    )
  }
}
