import { z } from 'zod'
import { FloatVector, ModelSource, RunCheckpointRef } from './explore'
import { RgbaImage } from './image'

/**
 * The paper's other experiments on a user's own model: the linear probe on D's features (Section 5) and
 * projecting an image into z (finding the z whose sample looks most like it). Both run as jobs, in an engine
 * of their own, so the explorer stays responsive while they work.
 */

const Seed = z.number().int().min(0).max(2 ** 31 - 1)

/** The paper's linear-probe results, shown beside ours for reference (Radford et al. 2015, Section 5). */
export const PAPER_PROBE_REFERENCE = {
  /** CIFAR-10, D trained on Imagenet-1k, L2-SVM on 28,672 features: 82.8% (±0.1%). */
  cifar10Accuracy: 0.828,
  /** SVHN with 1,000 labels: 22.48% test error (the same architecture trained purely supervised: 28.87%). */
  svhn1000Error: 0.2248,
  svhn1000SupervisedError: 0.2887
} as const

/**
 * Weight decays λ the probe chooses from on the validation split (strongest first; the fit warm-starts each
 * from the previous one). The objective is mean cross-entropy + λ/2 ‖W‖² on standardised features scaled to
 * unit length, so the same grid suits pixels and D features of any width; λ ≈ 1/(C·n) in SVM terms.
 */
export const PROBE_WEIGHT_DECAYS = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5] as const

// ——— Linear probe ———

export const EngineProbeParams = z.object({
  /** The trained model whose D is probed. */
  models: ModelSource,
  /** Weights seed of the random-init D of the same architecture (the baseline). */
  randomSeed: Seed.default(1),
  /** A labelled dataset folder in the library (manifest.json, images.u8, labels.u8): from IDX files, or folder-per-class. */
  datasetDir: z.string().min(1),
  /** Training examples per class for the classifier. */
  perClass: z.number().int().min(1).max(5000),
  /** Validation examples per class (used only to choose the weight decay). */
  validationPerClass: z.number().int().min(1).max(5000),
  /** Test images: a random sample of the rest, at most this many. */
  maxTest: z.number().int().min(1).max(100_000),
  /** Seed of the split: the same seed draws the same training, validation and test images. */
  seed: Seed.default(0),
  weightDecays: z.array(z.number().positive()).min(1).max(16).default([...PROBE_WEIGHT_DECAYS]),
  /** Full-batch Adam iterations per weight decay. */
  iterations: z.number().int().min(10).max(5000).default(300)
})
export type EngineProbeParams = z.infer<typeof EngineProbeParams>
export type EngineProbeParamsInput = z.input<typeof EngineProbeParams>

/** One representation's result: its size, the chosen weight decay and the accuracies. */
export const ProbeScore = z.object({
  /** Feature dimensions. */
  features: z.number().int().min(1),
  weightDecay: z.number(),
  /** Validation accuracy of every weight decay tried, in the order tried. */
  validation: z.array(z.object({ weightDecay: z.number(), accuracy: z.number().min(0).max(1) })),
  trainAccuracy: z.number().min(0).max(1),
  testAccuracy: z.number().min(0).max(1)
})
export type ProbeScore = z.infer<typeof ProbeScore>

export const ProbeResult = z.object({
  /** D of the trained model: every LeakyReLU output max-pooled to 4×4, flattened and concatenated. */
  trainedD: ProbeScore,
  /** The same features from a random-init D of the same architecture. */
  randomD: ProbeScore,
  /** The images' pixels as D sees them ([-1, 1], at the model's size and channels). */
  pixels: ProbeScore,
  /** Classes present in the dataset (labels with no image are left out). */
  classes: z.number().int().min(2),
  /** The classes' names in class order (a folder-per-class dataset's folders), or null when labels are numbers only. */
  classNames: z.array(z.string()).nullable(),
  counts: z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int() }),
  /** How the dataset's images were brought to the model's input, when they differ (else null). */
  adapted: z.string().nullable(),
  seconds: z.number().min(0)
})
export type ProbeResult = z.infer<typeof ProbeResult>

/** Studio API: probe a run's D on a labelled dataset in the library. */
export const ProbeParams = z.object({
  run: RunCheckpointRef,
  datasetId: z.string().min(1, 'choose a labelled dataset'),
  /** The authors' SVHN script used 100 labels per class. */
  perClass: z.number().int().min(1).max(5000).default(100),
  /** Validation examples per class; null: as many as for training. */
  validationPerClass: z.number().int().min(1).max(5000).nullable().default(null),
  maxTest: z.number().int().min(1).max(100_000).default(2000),
  seed: Seed.default(0),
  randomSeed: Seed.default(1)
})
export type ProbeParams = z.input<typeof ProbeParams>

/** What a finished probe job holds (its `result`): the three accuracies up front, then the details. */
export const ProbeReport = ProbeResult.extend({
  accuracy: z.number().min(0).max(1),
  pixelsAccuracy: z.number().min(0).max(1),
  randomDAccuracy: z.number().min(0).max(1),
  /** Dimensions of the D features (the paper's 28,672 for its Imagenet 32×32 model). */
  features: z.number().int(),
  run: z.string(),
  step: z.number().int(),
  dataset: z.object({ id: z.string(), name: z.string() }),
  perClass: z.number().int()
})
export type ProbeReport = z.infer<typeof ProbeReport>

// ——— Projection ———

export const EngineProjectParams = z.object({
  generator: ModelSource,
  /** The target, already at the model's size (the Node side decodes and resizes files). */
  image: RgbaImage,
  /** Independent starts, optimised together as one batch; the best one wins. */
  starts: z.number().int().min(1).max(64).default(8),
  steps: z.number().int().min(1).max(5000).default(300),
  learningRate: z.number().positive().max(1).default(0.05),
  /** Seed of the starting points (drawn from the model's noise distribution). */
  seed: Seed.default(0)
})
export type EngineProjectParams = z.infer<typeof EngineProjectParams>
export type EngineProjectParamsInput = z.input<typeof EngineProjectParams>

export const ProjectResult = z.object({
  /** The best z found. */
  z: FloatVector,
  /** Its pixel mean squared error against the target, on the model's [-1, 1] scale. */
  error: z.number().min(0),
  /** Final error of each start, in start order; `best` indexes it. */
  errors: z.array(z.number().min(0)),
  /** Error of each start's random starting point: what a random z scores. */
  initialErrors: z.array(z.number().min(0)),
  best: z.number().int().min(0),
  reconstruction: RgbaImage,
  /** The target as the model sees it (its size and channels). */
  target: RgbaImage,
  seconds: z.number().min(0)
})
export type ProjectResult = z.infer<typeof ProjectResult>

/** Where the image to project comes from: a file on the machine running the studio, or a dataset image. */
export const ProjectImageSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: z.string().min(1, 'choose an image file') }),
  z.object({ kind: z.literal('dataset'), datasetId: z.string().min(1), index: z.number().int().min(0) })
])
export type ProjectImageSource = z.infer<typeof ProjectImageSource>

export const ProjectParams = z.object({
  run: RunCheckpointRef,
  image: ProjectImageSource,
  starts: z.number().int().min(1).max(64).default(8),
  steps: z.number().int().min(1).max(5000).default(300),
  learningRate: z.number().positive().max(1).default(0.05),
  seed: Seed.default(0)
})
export type ProjectParams = z.input<typeof ProjectParams>

/** What a finished projection job holds: the engine's result, and which model and image it was. */
export const ProjectReport = ProjectResult.extend({
  run: z.string(),
  step: z.number().int(),
  /** The file path, or "dataset ID #INDEX". */
  image: z.string()
})
export type ProjectReport = z.infer<typeof ProjectReport>
