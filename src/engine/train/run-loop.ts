import * as tf from '@tensorflow/tfjs'
import type { MetricsLine, TrainEvent } from '../../shared/formats/run'
import { divergenceMessage, DiversityWatch, dLossWindow, DLossWatch } from './health'
import { DivergedError, type Trainer } from './trainer'
import { TrainingControl } from './training-control'

/**
 * The training loop of one session: trains a Trainer up to a target step, writing sample grids and checkpoints
 * on the run's schedule, obeying pause/resume/stop between steps, watching the run's health, and reporting all
 * of it as TrainEvents. It always ends with exactly one `finished` event, also returned.
 */

export type FinishedEvent = Extract<TrainEvent, { kind: 'finished' }>

export interface RunTrainingOptions {
  /** The step to train up to (the run's total), not a number of further steps. */
  steps: number
  control?: TrainingControl
  onEvent: (event: TrainEvent) => void
}

/** Steps the ETA averages over: long enough to smooth out sample and checkpoint writes, short enough to adapt. */
export const ETA_WINDOW = 20

export async function runTraining(trainer: Trainer, options: RunTrainingOptions): Promise<FinishedEvent> {
  const { steps, onEvent: emit } = options
  const control = options.control ?? new TrainingControl()
  const { sampleEvery, checkpointEvery } = trainer.train
  const dLossWatch = new DLossWatch(dLossWindow(steps))
  const diversityWatch = new DiversityWatch()
  const timer = new StepTimer(ETA_WINDOW)

  const finish = (reason: FinishedEvent['reason'], message: string): FinishedEvent => {
    const event: FinishedEvent = { kind: 'finished', step: trainer.step, reason, message }
    emit(event)
    return event
  }
  const writeSample = async (): Promise<void> => {
    const grid = await trainer.writeSampleGrid()
    emit({ kind: 'sample', step: grid.step, file: grid.file })
    const warning = diversityWatch.observe(grid.step, grid.diversity)
    if (warning) emit(warning)
  }
  const writeCheckpoint = async (): Promise<void> => {
    const written = await trainer.writeCheckpoint()
    emit({ kind: 'checkpoint', step: written.step, dir: written.dir })
  }

  emit({
    kind: 'started',
    step: trainer.step,
    resumedFrom: trainer.resumedFrom,
    backend: tf.getBackend(),
    batchSize: trainer.batchSize,
    notes: [...trainer.notes]
  })
  if (trainer.batchSize < trainer.train.batchSize) {
    emit({
      kind: 'warning',
      code: 'small-dataset',
      step: trainer.step,
      message:
        `The dataset has only ${trainer.datasetSize} image(s), fewer than the batch size of ${trainer.train.batchSize}, ` +
        `so each batch is the whole dataset. A GAN needs many more images than that to learn anything general; ` +
        'expect it to memorise these.'
    })
  }

  try {
    if (!(await trainer.hasSampleGrid(trainer.step))) await writeSample()
    while (trainer.step < steps) {
      if (control.paused) {
        emit({ kind: 'paused', step: trainer.step })
        await control.waitIfPaused()
        if (!control.stopped) emit({ kind: 'resumed', step: trainer.step })
        timer.restart()
      }
      if (control.stopped) break
      const metrics = await trainer.trainStep()
      timer.lap()
      // An exploded but finite step is still recorded, so the chart shows what happened; NaN cannot be.
      if (isFiniteStep(metrics)) {
        await trainer.appendMetrics(metrics)
        emit({ kind: 'progress', metrics, totalSteps: steps, etaSeconds: timer.eta(steps - trainer.step) })
      }
      const diverged = divergenceMessage(metrics, trainer.lastCheckpointStep)
      // No checkpoint of a diverged state: latest.json stays on the last good one.
      if (diverged) return finish('failed', diverged)
      const warning = dLossWatch.observe(metrics)
      if (warning) emit(warning)
      if (trainer.step % sampleEvery === 0) await writeSample()
      if (trainer.step % checkpointEvery === 0) await writeCheckpoint()
      // Training is synchronous compute; let pause/stop messages in between steps.
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (!(await trainer.hasSampleGrid(trainer.step))) await writeSample()
    if (trainer.lastCheckpointStep !== trainer.step) await writeCheckpoint()
    return trainer.step >= steps
      ? finish('completed', `Trained to step ${trainer.step}; the final checkpoint is saved.`)
      : finish('stopped', `Stopped at step ${trainer.step}; a checkpoint of this step is saved, so the run can resume from here.`)
  } catch (error) {
    if (error instanceof DivergedError) return finish('failed', error.message)
    const last = trainer.lastCheckpointStep
    return finish(
      'failed',
      `Training stopped at step ${trainer.step}: ${error instanceof Error ? error.message : String(error)} ` +
        (last === null ? '(There is no checkpoint yet.)' : `(The last complete checkpoint is step ${last}.)`)
    )
  }
}

function isFiniteStep(metrics: MetricsLine): boolean {
  return [metrics.dLoss, metrics.gLoss, metrics.dReal, metrics.dFake, metrics.imagesPerSecond].every(Number.isFinite)
}

/** Seconds per step over the last few steps, not counting time spent paused. */
class StepTimer {
  private readonly laps: number[] = []
  private last = performance.now()

  constructor(private readonly window: number) {}

  lap(): void {
    const now = performance.now()
    this.laps.push(now - this.last)
    if (this.laps.length > this.window) this.laps.shift()
    this.last = now
  }

  /** After a pause: the next lap starts now. */
  restart(): void {
    this.last = performance.now()
  }

  eta(remainingSteps: number): number | null {
    if (this.laps.length === 0) return null
    const mean = this.laps.reduce((sum, ms) => sum + ms, 0) / this.laps.length
    return Math.max(0, (mean * remainingSteps) / 1000)
  }
}
