import type { z } from 'zod'
import { StudioError } from '../../shared/api/errors'
import type { ErasureRecord, ForgetFitParams, ForgetFitReport, SaveErasureParams } from '../../shared/api/forget'
import type { Job } from '../../shared/api/jobs'
import type { EngineHost } from './engine-host'
import type { Erasures } from './erasures'
import type { Explorer } from './explorer'
import type { Jobs } from './jobs'

/**
 * Forgetting to draw (paper Fig. 6) on the Node side: resolves the run and the boxed samples' z vectors, fits
 * which maps draw the boxed object as a job on the explorer engine (where the model is usually loaded
 * already; progress and cancel), and saves erasures. Applying one is not done here: any request's run
 * reference can carry an erasure (RunCheckpointRef.erasure), so samples, walks, arithmetic and exports all
 * draw without the dropped maps through their usual paths.
 */
export class Forget {
  constructor(
    private readonly engine: EngineHost,
    private readonly exploration: Explorer,
    private readonly erasures: Erasures,
    private readonly jobs: Jobs
  ) {}

  /** Checks the run and resolves the samples at once, then fits as a job whose result is a ForgetFitReport. */
  async startFit(params: z.output<typeof ForgetFitParams>): Promise<{ job: Job; done: Promise<ForgetFitReport> }> {
    // The fit weighs G's maps as they are, whatever erasure the reference carries.
    const { source, model, step } = await this.exploration.models({ ...params.run, erasure: null })
    const vectors = params.samples.map((sample) => this.exploration.resolveZ(sample.z, model))
    const z = new Float32Array(vectors.length * model.zDim)
    vectors.forEach((vector, i) => z.set(vector, i * model.zDim))
    const boxes = params.samples.map((sample) => sample.boxes)
    const { layer, negatives, negativesPerPositive, weightDecay, iterations, seed } = params
    const settings = { layer, negatives, negativesPerPositive, weightDecay, iterations, seed }
    const count = boxes.reduce((n, b) => n + b.length, 0)
    return this.jobs.start({
      kind: 'experiment',
      title: `Fit an erasure on ${count} box${count === 1 ? '' : 'es'} (${params.run.id})`,
      target: { kind: 'run', id: params.run.id },
      run: async (ctx) => {
        const result = await this.engine.request(
          'forgetFit',
          { generator: source, z, count: vectors.length, boxes, ...settings },
          { signal: ctx.signal, onProgress: (progress, message) => ctx.report(progress, message) }
        )
        return { ...result, step, settings: { ...settings, layer: result.layer } }
      },
      doneMessage: (r) => `${r.dropped.length} of ${r.shape[2]} maps of ${r.layer} fire inside the boxes (accuracy ${(r.accuracy * 100).toFixed(1)}%).`
    })
  }

  /** Saves an erasure for a checkpoint that exists, so a saved one always names a model it can be applied to. */
  async save(params: z.output<typeof SaveErasureParams>): Promise<ErasureRecord> {
    const { step } = await this.exploration.models({ id: params.runId, step: params.step, erasure: null })
    if (step !== params.step) throw new StudioError('not_found', `Run ${params.runId} has no checkpoint at step ${params.step}.`)
    if (params.erase.channels.length === 0) throw new StudioError('bad_request', 'This erasure drops no maps: choose at least one map to drop.')
    return this.erasures.save(params)
  }
}
