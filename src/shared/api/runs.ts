import { z } from 'zod'
import { ModelConfig } from '../formats/model'
import { MetricsLine, RunRecord, TrainConfig, TrainEvent } from '../formats/run'

export const RunListing = z.object({
  record: RunRecord,
  /** Step of the last complete checkpoint, or null before the first. */
  latestStep: z.number().int().nullable(),
  /** True while a trainer process works on it. */
  training: z.boolean()
})
export type RunListing = z.infer<typeof RunListing>

export const RunDetails = RunListing.extend({
  checkpoints: z.array(z.object({ step: z.number().int(), writtenAt: z.string() })),
  /** Steps with a fixed-noise sample grid, ascending: the sample timeline. */
  sampleSteps: z.array(z.number().int()),
  /** Metrics, thinned to at most `maxPoints` evenly spaced lines for charts. */
  metrics: z.array(MetricsLine),
  warnings: z.array(z.string())
})
export type RunDetails = z.infer<typeof RunDetails>

export const CreateRunParams = z.object({
  datasetId: z.string().min(1, 'choose a dataset'),
  name: z.string().max(200).optional(),
  /** Architecture overrides; size and channels come from the dataset. */
  model: ModelConfig.partial().omit({ imageSize: true, channels: true }).default({}),
  train: TrainConfig.partial().default({})
})
export type CreateRunParams = z.input<typeof CreateRunParams>

export const RunRef = z.object({ id: z.string().min(1) })
export const StartRunParams = z.object({
  id: z.string().min(1),
  /** Train until this total step (defaults to the run's configured steps). */
  steps: z.number().int().min(1).optional()
})
export const BranchRunParams = z.object({ id: z.string().min(1), step: z.number().int().min(0), name: z.string().max(200).optional() })
export const RunSampleParams = z.object({ id: z.string().min(1), step: z.number().int().min(0) })

export const RunTrainEvent = z.object({ runId: z.string(), event: TrainEvent })
export type RunTrainEvent = z.infer<typeof RunTrainEvent>

export const RunSample = z.object({
  step: z.number().int(),
  /** The fixed-noise grid as PNG bytes, as stored in the run's samples/ folder. */
  png: z.instanceof(Uint8Array)
})
export type RunSample = z.infer<typeof RunSample>
