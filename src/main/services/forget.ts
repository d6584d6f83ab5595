import type { z } from 'zod'
import { StudioError } from '../../shared/api/errors'
import type { ForgetFitParams, ForgetFitReport, SaveErasureParams } from '../../shared/api/forget'
import type { ErasureRecord } from '../../shared/api/forget'
import type { EngineHost } from './engine-host'
import type { Erasures } from './erasures'
import type { Explorer } from './explorer'

/**
 * Forgetting to draw (paper Fig. 6) on the Node side: resolves the run and the boxed samples' z vectors, asks
 * the explorer engine to fit which maps draw the boxed object, and saves erasures. Applying one is not done
 * here: any request's run reference can carry an erasure (RunCheckpointRef.erasure), so samples, walks,
 * arithmetic and exports all draw without the dropped maps through their usual paths.
 */
export class Forget {
  constructor(
    private readonly engine: EngineHost,
    private readonly exploration: Explorer,
    private readonly erasures: Erasures
  ) {}

  async fit(params: z.output<typeof ForgetFitParams>): Promise<ForgetFitReport> {
    // The fit weighs G's maps as they are, whatever erasure the reference carries.
    const { source, model, step } = await this.exploration.models({ ...params.run, erasure: null })
    const vectors = params.samples.map((sample) => this.exploration.resolveZ(sample.z, model))
    const z = new Float32Array(vectors.length * model.zDim)
    vectors.forEach((vector, i) => z.set(vector, i * model.zDim))
    const result = await this.engine.request('forgetFit', {
      generator: source,
      z,
      count: vectors.length,
      boxes: params.samples.map((sample) => sample.boxes),
      layer: params.layer,
      negatives: params.negatives,
      negativesPerPositive: params.negativesPerPositive,
      weightDecay: params.weightDecay,
      iterations: params.iterations,
      seed: params.seed
    })
    return { ...result, step }
  }

  /** Saves an erasure for a checkpoint that exists, so a saved one always names a model it can be applied to. */
  async save(params: z.output<typeof SaveErasureParams>): Promise<ErasureRecord> {
    const { step } = await this.exploration.models({ id: params.runId, step: params.step, erasure: null })
    if (step !== params.step) throw new StudioError('not_found', `Run ${params.runId} has no checkpoint at step ${params.step}.`)
    if (params.erase.channels.length === 0) throw new StudioError('bad_request', 'This erasure drops no maps: choose at least one map to drop.')
    return this.erasures.save(params)
  }
}
