import { z } from 'zod'
import { FloatVector, ModelSource, RunCheckpointRef } from './explore'
import { RgbaImage } from './image'

/**
 * The paper's other experiments on a user's own model: the linear probe on D's features (Section 5) and
 * projecting an image into z (finding the z whose sample looks most like it). Both run as jobs, in an engine
 * of their own, so the explorer stays responsive while they work.
 */

const Seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)

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
  weightDecays: z
    .array(z.number().positive())
    .min(1)
    .max(16)
    .default([...PROBE_WEIGHT_DECAYS]),
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

// ——— The paper's probe protocols ———

/** LinearSVC's C grid of the authors' SVHN script (svhn_semisup_analysis.py). */
export const PAPER_SVM_CS = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2] as const

export const ProbeProtocolName = z.enum(['cifar10', 'svhn'])
export type ProbeProtocolName = z.infer<typeof ProbeProtocolName>

/**
 * The paper's two probe experiments as presets: an L2-SVM on D's features (every layer max-pooled to 4×4),
 * C chosen on a validation split of the training set, scored on the test set.
 */
export interface ProbeProtocol {
  title: string
  /** The paper's result, and how it is stated. */
  paper: { metric: 'accuracy' | 'error'; value: number; text: string }
  /** Training images set aside to choose C. */
  validation: number
  /** Labelled training images per class in each draw; null: as many as memory allows (the paper: all). */
  perClass: number | null
  /** Random label draws per C when choosing it, and on the test set (mean ± 1.96σ over them). */
  selectionDraws: number
  testDraws: number
  cs: readonly number[]
  /** What the preset does differently from the paper, or assumes where it is silent. */
  notes: string
}

export const PROBE_PROTOCOLS: Record<ProbeProtocolName, ProbeProtocol> = {
  cifar10: {
    title: 'CIFAR-10 (Table 1)',
    paper: { metric: 'accuracy', value: PAPER_PROBE_REFERENCE.cifar10Accuracy, text: '82.8% (±0.1%) accuracy, D trained on Imagenet-1k, 28,672 features' },
    validation: 5000,
    perClass: null,
    selectionDraws: 1,
    testDraws: 1,
    cs: PAPER_SVM_CS,
    notes: 'The paper gives neither its validation split nor its C grid: 5,000 training images validate and C is swept as in the SVHN script.'
  },
  svhn: {
    title: 'SVHN, 1,000 labels (Table 2)',
    paper: { metric: 'error', value: PAPER_PROBE_REFERENCE.svhn1000Error, text: '22.48% test error (the same architecture trained supervised: 28.87%)' },
    validation: 10_000,
    perClass: 100,
    selectionDraws: 10,
    testDraws: 100,
    cs: PAPER_SVM_CS,
    notes: "As the authors' script: 10 label draws per C to choose it on validation, then 100 draws scored on the test set."
  }
}

export const EngineProtocolProbeParams = z.object({
  models: ModelSource,
  /** Labelled datasets in the library: training images (validation and label draws come from them), and test images. */
  trainDir: z.string().min(1),
  testDir: z.string().min(1),
  validation: z.number().int().min(1).max(1_000_000),
  /** null: as many per class as memory allows. */
  perClass: z.number().int().min(1).max(100_000).nullable(),
  selectionDraws: z.number().int().min(1).max(1000),
  testDraws: z.number().int().min(1).max(1000),
  cs: z.array(z.number().positive()).min(1).max(32),
  seed: Seed.default(0),
  /** Nesterov iterations per fit. */
  iterations: z.number().int().min(10).max(20_000).default(500)
})
export type EngineProtocolProbeParams = z.infer<typeof EngineProtocolProbeParams>

/** A mean over label draws and its 95% half-width (1.96σ), as the authors report. */
export const DrawStat = z.object({ mean: z.number(), halfWidth: z.number().min(0) })
export type DrawStat = z.infer<typeof DrawStat>

export const ProtocolProbeResult = z.object({
  features: z.number().int().min(1),
  classes: z.number().int().min(2),
  classNames: z.array(z.string()).nullable(),
  counts: z.object({ pool: z.number().int(), validation: z.number().int(), perDraw: z.number().int(), test: z.number().int() }),
  /** Validation accuracy of each C, over the selection draws. */
  validation: z.array(z.object({ c: z.number(), accuracy: DrawStat })),
  chosenC: z.number(),
  /** Over the test draws: accuracy, error (1 − accuracy) and training accuracy. */
  testAccuracy: DrawStat,
  testError: DrawStat,
  trainAccuracy: DrawStat,
  draws: z.object({ selection: z.number().int(), test: z.number().int() }),
  adapted: z.string().nullable(),
  seconds: z.number().min(0)
})
export type ProtocolProbeResult = z.infer<typeof ProtocolProbeResult>

/** Studio API: one of the paper's protocols on a run's D, with training and test datasets from the library. */
export const ProtocolProbeParams = z.object({
  run: RunCheckpointRef,
  protocol: ProbeProtocolName,
  trainDatasetId: z.string().min(1, 'choose the labelled training dataset'),
  testDatasetId: z.string().min(1, 'choose the labelled test dataset'),
  /** Overrides of the preset, for a quicker look (the report says they differ from the paper). */
  perClass: z.number().int().min(1).max(100_000).optional(),
  validation: z.number().int().min(1).max(1_000_000).optional(),
  selectionDraws: z.number().int().min(1).max(1000).optional(),
  testDraws: z.number().int().min(1).max(1000).optional(),
  seed: Seed.default(0)
})
export type ProtocolProbeParams = z.input<typeof ProtocolProbeParams>

export const ProtocolProbeReport = ProtocolProbeResult.extend({
  protocol: ProbeProtocolName,
  run: z.string(),
  step: z.number().int(),
  train: z.object({ id: z.string(), name: z.string() }),
  test: z.object({ id: z.string(), name: z.string() }),
  paper: z.object({ metric: z.enum(['accuracy', 'error']), value: z.number(), text: z.string() }),
  /** Where this run departs from the preset (overridden counts), in words; empty when it follows it. */
  departures: z.array(z.string())
})
export type ProtocolProbeReport = z.infer<typeof ProtocolProbeReport>

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
