import { z } from 'zod'
import { ModelConfig } from './model'
import { ImportedFrom } from './model-import'

/**
 * A training run on disk: `runs/<id>/` holding
 * - `run.json` (RunRecord): config, architecture, noise distribution, dataset, status — written by the Node
 *   side (the runs service), atomically;
 * - `metrics.jsonl`: one MetricsLine per logged step — appended by the trainer;
 * - `samples/step-<step padded to 8>.png`: the fixed-noise sample grid, kept as a timeline — by the trainer;
 * - `checkpoints/<step padded to 8>/`: G, D, both optimiser states, step, data cursor and RNG state, with
 *   `checkpoint.json` (CheckpointMeta) written last inside it — by the trainer;
 * - `latest.json` (LatestCheckpoint): moved (atomically) only after a checkpoint is complete.
 * A run killed at any moment resumes from latest.json's checkpoint; anything newer is ignored or removed.
 */
export const RUN_FORMAT_VERSION = 1

export const RUN_FILES = {
  record: 'run.json',
  metrics: 'metrics.jsonl',
  latest: 'latest.json',
  samples: 'samples',
  checkpoints: 'checkpoints',
  checkpointMeta: 'checkpoint.json',
  generator: 'generator',
  discriminator: 'discriminator',
  optimizers: 'optimizers.bin',
  optimizersIndex: 'optimizers.json',
  /** The user's favourite samples of this run (owned by the Node side, like run.json). */
  favourites: 'favourites.json'
} as const

export const RunId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'a run id is 1–80 lowercase letters, digits and dashes')
export type RunId = z.infer<typeof RunId>

/** `step` as a fixed-width folder/file name, so names sort in step order. */
export function stepName(step: number): string {
  return String(step).padStart(8, '0')
}
export function sampleFileName(step: number): string {
  return `step-${stepName(step)}.png`
}

/** Training settings. Defaults are the paper's (PAPER.md, "Training details"). */
export const TrainConfig = z.object({
  /** Mini-batch size. Paper: 128. */
  batchSize: z.number().int().min(1).max(1024).default(128),
  /** Adam learning rate for both networks. Paper: 0.0002 (0.001 was too high). */
  learningRate: z.number().positive().max(1).default(0.0002),
  /** Adam β1. Paper: 0.5 (0.9 caused oscillation). */
  beta1: z.number().min(0).max(0.999).default(0.5),
  /** Adam β2 (the paper does not change it; Adam's default). */
  beta2: z.number().min(0).max(0.9999).default(0.999),
  /** Total steps to train (a step = one D update and one G update). */
  steps: z.number().int().min(1).max(99_999_999).default(5000),
  /** Write a checkpoint every N steps (and always when stopping). */
  checkpointEvery: z.number().int().min(1).default(500),
  /** Write the fixed-noise sample grid every N steps. */
  sampleEvery: z.number().int().min(1).default(100),
  /** Samples in the fixed-noise grid. */
  sampleCount: z.number().int().min(1).max(256).default(64),
  /** Seed for weights, data order and noise; a run is reproducible from it. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1)
})
export type TrainConfig = z.infer<typeof TrainConfig>
export type TrainConfigInput = z.input<typeof TrainConfig>

export const PAPER_TRAIN_DEFAULTS = TrainConfig.parse({})

/**
 * How a run's dataset can be made again when it is not in the library (the demo ships without its 12,000
 * training faces): `dcgan-studio make-faces --count N --size S --seed SEED`, then a folder import at that size.
 */
export const DatasetRecipe = z.object({
  kind: z.literal('procedural-faces'),
  count: z.number().int().min(1).max(1_000_000),
  size: z.number().int().min(8).max(256),
  seed: z.number().int().min(0).max(0xffffffff)
})
export type DatasetRecipe = z.infer<typeof DatasetRecipe>

export const RunStatus = z.enum(['created', 'running', 'paused', 'stopped', 'completed', 'failed', 'interrupted'])
export type RunStatus = z.infer<typeof RunStatus>

export const RunRecord = z.object({
  formatVersion: z.literal(RUN_FORMAT_VERSION),
  id: RunId,
  name: z.string().min(1).max(200),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** The dataset id in the same library, and what it was when the run was created. */
  dataset: z
    .object({
      id: z.string(),
      name: z.string(),
      count: z.number().int().min(1),
      size: z.number().int(),
      channels: z.union([z.literal(1), z.literal(3)]),
      /** Set when the dataset is procedural and can be recreated exactly (the shipped demo). */
      recipe: DatasetRecipe.optional()
    })
    // null for a model imported from elsewhere until a dataset is chosen to train it further.
    .nullable(),
  /** The architecture, including the noise distribution z is drawn from. */
  model: ModelConfig,
  train: TrainConfig,
  status: RunStatus,
  /** Human explanation of the status (why it stopped or failed), shown in the UI. */
  statusMessage: z.string().default(''),
  /** Set when the run was branched from another run's checkpoint. */
  branchedFrom: z.object({ runId: RunId, step: z.number().int().min(0) }).optional(),
  /** Set when the run holds a model trained elsewhere (dcgan-studio import-model): its step 0 is that model. */
  imported: ImportedFrom.optional(),
  /**
   * The face-attribute classifier (a folder under the library's classifiers/) that scores this run's samples
   * — smiling, masculine, glasses, pose — for Explore's attribute filter. Only a model of faces has one: the
   * demo names classifiers/demo-faces, installed with it. Branches keep it.
   */
  classifier: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'a classifier is named by its folder under classifiers/: lowercase letters, digits and dashes')
    .optional(),
  /** Health warnings the trainer raised (D loss near zero, collapsing diversity, small dataset), newest last. */
  warnings: z
    .array(z.object({ step: z.number().int().min(0), code: z.string(), message: z.string() }))
    .max(100)
    .default([]),
  /** Where training time went: backend and wall time, accumulated over sessions. */
  cost: z
    .object({ backend: z.string().nullable(), seconds: z.number().min(0), steps: z.number().int().min(0) })
    .default({ backend: null, seconds: 0, steps: 0 })
})
export type RunRecord = z.infer<typeof RunRecord>

/** `latest.json`: the last complete checkpoint. */
export const LatestCheckpoint = z.object({
  step: z.number().int().min(0),
  /** Folder name under checkpoints/. */
  dir: z.string().regex(/^\d{8}$/),
  writtenAt: z.iso.datetime()
})
export type LatestCheckpoint = z.infer<typeof LatestCheckpoint>

/** `checkpoint.json` inside a checkpoint folder; its presence marks the folder complete. */
export const CheckpointMeta = z.object({
  formatVersion: z.literal(RUN_FORMAT_VERSION),
  step: z.number().int().min(0),
  epoch: z.number().int().min(0),
  /** Position in the current epoch's shuffled order, so resuming continues the same data stream. */
  cursor: z.number().int().min(0),
  /** The trainer's PRNG state (four 32-bit words). */
  rng: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
  /** Last metrics at this step, for display without reading metrics.jsonl. */
  metrics: z.object({ dLoss: z.number(), gLoss: z.number(), dReal: z.number(), dFake: z.number() }).nullable(),
  writtenAt: z.iso.datetime()
})
export type CheckpointMeta = z.infer<typeof CheckpointMeta>

/** One line of metrics.jsonl. */
export const MetricsLine = z.object({
  step: z.number().int().min(1),
  epoch: z.number().int().min(0),
  dLoss: z.number(),
  gLoss: z.number(),
  /** Mean D(x) on the real batch. */
  dReal: z.number(),
  /** Mean D(G(z)) on the fake batch, before the G update. */
  dFake: z.number(),
  imagesPerSecond: z.number().min(0),
  time: z.number()
})
export type MetricsLine = z.infer<typeof MetricsLine>

/** What a training session reports while it runs (engine → host → UI). */
export const TrainEvent = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('started'),
    step: z.number().int().min(0),
    resumedFrom: z.number().int().min(0).nullable(),
    backend: z.string(),
    /** The batch size actually used (smaller than asked when the dataset is smaller than a batch). */
    batchSize: z.number().int().min(1),
    notes: z.array(z.string())
  }),
  z.object({
    kind: z.literal('progress'),
    metrics: MetricsLine,
    totalSteps: z.number().int(),
    etaSeconds: z.number().min(0).nullable()
  }),
  z.object({ kind: z.literal('sample'), step: z.number().int().min(0), file: z.string() }),
  z.object({ kind: z.literal('checkpoint'), step: z.number().int().min(0), dir: z.string() }),
  z.object({
    kind: z.literal('warning'),
    code: z.enum(['d-loss-near-zero', 'diversity-collapse', 'small-dataset']),
    message: z.string(),
    step: z.number().int().min(0)
  }),
  z.object({ kind: z.literal('paused'), step: z.number().int().min(0) }),
  z.object({ kind: z.literal('resumed'), step: z.number().int().min(0) }),
  z.object({
    kind: z.literal('finished'),
    step: z.number().int().min(0),
    reason: z.enum(['completed', 'stopped', 'failed']),
    message: z.string()
  })
])
export type TrainEvent = z.infer<typeof TrainEvent>

/** A favourite sample: named by its seed when it has one (exact and short), always with its z. */
export const FavouriteSample = z.object({
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .nullable(),
  index: z.number().int().min(0).max(100_000),
  z: z.array(z.number()).min(1).max(1024)
})
export type FavouriteSample = z.infer<typeof FavouriteSample>

/** `favourites.json`: the samples a user starred while exploring the run, in the order starred. */
export const FavouritesFile = z.object({
  formatVersion: z.literal(1),
  samples: z.array(FavouriteSample).max(1000)
})
export type FavouritesFile = z.infer<typeof FavouritesFile>
