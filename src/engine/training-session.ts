import * as tf from '@tensorflow/tfjs'
import { StudioError } from '../shared/api/errors'
import type { TrainEvent } from '../shared/formats/run'
import type { TrainSessionParams, TrainSessionResult } from '../shared/engine-protocol'
import type { RequestContext } from './server'
import { Trainer, TrainingControl, runTraining } from './train'

/**
 * The trainer role of an engine process: at most one training session at a time, controlled by
 * `trainControl` requests (pause, resume, stop) while the `train` request streams its events.
 */
export class TrainingSessions {
  private control: TrainingControl | null = null

  async train(params: TrainSessionParams, ctx: RequestContext): Promise<TrainSessionResult> {
    if (this.control) throw new StudioError('bad_request', 'This engine is already training a run.')
    const control = new TrainingControl()
    this.control = control
    // Cancelling the request (the host gave up on it) stops like the Stop button: after the step, with a checkpoint.
    ctx.signal.addEventListener('abort', () => control.stop(), { once: true })
    const started = performance.now()
    const trainer = await Trainer.open({ runDir: params.runDir, datasetDir: params.datasetDir, model: params.model, train: params.train })
    try {
      let finished: Extract<TrainEvent, { kind: 'finished' }> | null = null
      await runTraining(trainer, {
        steps: params.steps,
        control,
        onEvent: (event) => {
          if (event.kind === 'finished') finished = event
          ctx.emit(event)
        }
      })
      const end = finished as Extract<TrainEvent, { kind: 'finished' }> | null
      return {
        reason: end?.reason ?? 'completed',
        step: end?.step ?? trainer.step,
        message: end?.message ?? 'Training finished.',
        seconds: (performance.now() - started) / 1000,
        backend: tf.getBackend()
      }
    } finally {
      trainer.dispose()
      this.control = null
    }
  }

  controlSession(action: 'pause' | 'resume' | 'stop'): { applied: boolean } {
    const control = this.control
    if (!control) return { applied: false }
    control[action]()
    return { applied: true }
  }
}
