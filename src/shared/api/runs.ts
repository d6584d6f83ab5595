import { z } from 'zod'
import { ModelConfig } from '../formats/model'
import { MetricsLine, RunRecord, TrainConfig, TrainEvent } from '../formats/run'

export const RunListing = z.object({
  record: RunRecord,
  /** Step of the last complete checkpoint, or null before the first. */
  latestStep: z.number().int().nullable(),
  /** True while a trainer process works on it. */
  training: z.boolean(),
  /** Whether the dataset it trains on is in the library (resuming needs it; a recipe can recreate it). */
  datasetPresent: z.boolean()
})
export type RunListing = z.infer<typeof RunListing>

/**
 * How a run is shown, in the app's Runs list and run view and in `dcgan-studio runs`. The demo is a finished
 * model (it ships one checkpoint and no dataset), not a run that was "stopped" short of its steps.
 */
export interface RunBadge {
  label: string
  className: string
  /** Where it stands: "step 120/5000", or for a finished model how far it was trained. */
  progress: string
}

export function runBadge(run: Pick<RunListing, 'record' | 'latestStep' | 'training'>, demoRunId: string | null): RunBadge {
  const { record, latestStep } = run
  const step = latestStep ?? 0
  const busy = run.training || record.status === 'running' || record.status === 'paused'
  if (record.id === demoRunId && !busy) {
    return {
      label: `demo model · trained ${step.toLocaleString('en-US')} steps`,
      className: 'pill pill-demo',
      progress: `checkpoint step ${step.toLocaleString('en-US')}`
    }
  }
  // A model trained elsewhere and not trained here yet is a finished model, not a stopped run.
  if (record.imported && step === 0 && !busy) {
    return { label: `imported · ${record.imported.format}`, className: 'pill pill-demo', progress: 'no training history here' }
  }
  return { label: record.status, className: `pill pill-${record.status}`, progress: `step ${step}/${record.train.steps}` }
}

export const RunDetails = RunListing.extend({
  checkpoints: z.array(z.object({ step: z.number().int(), writtenAt: z.string() })),
  /** Steps with a fixed-noise sample grid, ascending: the sample timeline. */
  sampleSteps: z.array(z.number().int()),
  /** Metrics, thinned to at most `maxPoints` evenly spaced lines for charts. */
  metrics: z.array(MetricsLine),
  warnings: z.array(z.string())
})
export type RunDetails = z.infer<typeof RunDetails>

/**
 * The base width a new run may have. The architecture itself takes any width (1 and 3 train), so these are
 * the studio's limits, not the format's (runs already on disk keep whatever they have):
 * - at least 8: narrower networks have too few feature maps to draw faces or to explore (the feature views,
 *   the layer stack and forgetting to draw all work map by map);
 * - G's widest layer (4×4) has width × imageSize / 8 channels, and D's mirrors it. Past 2,048 channels
 *   there (width 512 at 32 px, 256 at 64 px, 128 at 128 px) the weights, their gradients and Adam's two
 *   moments outgrow the 4 GB a wasm engine can address.
 */
export const MIN_WIDTH = 8
export const MAX_WIDEST_CHANNELS = 2048

export function maxWidth(imageSize: number): number {
  return Math.floor(MAX_WIDEST_CHANNELS / Math.max(1, imageSize / 8))
}

/** What is wrong with a base width for images of this size (null: it is fine). */
export function widthProblem(width: number, imageSize: number): string | null {
  const max = maxWidth(imageSize)
  if (!Number.isInteger(width) || width < MIN_WIDTH || width > max) {
    return `must be a whole number from ${MIN_WIDTH} to ${max} for ${imageSize} px images`
  }
  return null
}

const Width = z
  .number()
  .int('must be a whole number')
  .min(MIN_WIDTH, `must be at least ${MIN_WIDTH}`)
  .max(maxWidth(32), `must be at most ${maxWidth(32)} (at 32 px; ${maxWidth(64)} at 64 px, ${maxWidth(128)} at 128 px)`)

export const CreateRunParams = z.object({
  datasetId: z.string().min(1, 'choose a dataset'),
  name: z.string().max(200).optional(),
  /** Architecture overrides; size and channels come from the dataset (widthProblem then checks the width against the size). */
  model: ModelConfig.partial().omit({ imageSize: true, channels: true }).extend({ genWidth: Width.optional(), discWidth: Width.optional() }).default({}),
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

/** Make a run's missing dataset again from its recipe (a job), then, unless told not to, resume training. */
export const RecreateDatasetParams = z.object({ id: z.string().min(1), resume: z.boolean().default(true) })
export const RecreatedDataset = z.object({ datasetId: z.string(), count: z.number().int(), trainJobId: z.string().nullable() })
export type RecreatedDataset = z.infer<typeof RecreatedDataset>

export const RunTrainEvent = z.object({ runId: z.string(), event: TrainEvent })
export type RunTrainEvent = z.infer<typeof RunTrainEvent>

export const RunSample = z.object({
  step: z.number().int(),
  /** The fixed-noise grid as PNG bytes, as stored in the run's samples/ folder. */
  png: z.instanceof(Uint8Array)
})
export type RunSample = z.infer<typeof RunSample>
