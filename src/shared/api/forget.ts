import { z } from 'zod'
import { ErasureSpec, FloatVector, ModelSource, RunCheckpointRef } from './explore'
import { ExportZSpec } from './export'

/**
 * "Forgetting to draw" (paper Fig. 6): the user boxes an object (windows, glasses) on generated samples; a
 * logistic regression on G's second-highest conv layer tells activations inside the boxes from activations at
 * random other places of the same samples; the feature maps it weights positively are dropped at every
 * location, and G draws without them. A fitted erasure is saved in the library and can be applied to any
 * sample, walk or export (RunCheckpointRef.erasure).
 */

/** A box on a sample, in fractions of the image's width and height (0,0 = top left). */
export const Box = z
  .object({
    x0: z.number().min(0).max(1),
    y0: z.number().min(0).max(1),
    x1: z.number().min(0).max(1),
    y1: z.number().min(0).max(1)
  })
  .refine((b) => b.x1 > b.x0 && b.y1 > b.y0, 'a box needs x1 > x0 and y1 > y0')
export type Box = z.infer<typeof Box>

/** One generated sample and the boxes drawn on it (none: the sample gives only negatives). */
export const BoxedSample = z.object({ z: ExportZSpec, boxes: z.array(Box).max(64) })
export type BoxedSample = z.input<typeof BoxedSample>

const hasABox = (samples: { boxes: unknown[] }[]): boolean => samples.some((s) => s.boxes.length > 0)
const NO_BOX = 'draw at least one box around the object to forget'

/** The boxes file the CLI reads (`dcgan-studio forget --boxes FILE.json`); the UI saves the same format. */
export const BoxesFile = z.object({
  formatVersion: z.literal(1),
  /** The run the samples came from (informative: seeds name the same samples in any checkpoint of it). */
  runId: z.string().optional(),
  samples: z.array(BoxedSample).min(1).max(1000).refine(hasABox, NO_BOX)
})
export type BoxesFile = z.input<typeof BoxesFile>

/** Fitting choices shared by the Studio API, the engine and saved erasures. */
export const FitSettings = z.object({
  /** A G layer by name (a ReLU output, e.g. g_relu2); null: the second-highest conv layer, as in the paper. */
  layer: z
    .string()
    .regex(/^g_relu\d+$/, 'the layer must be one of G’s ReLU outputs (g_relu0, g_relu1, …)')
    .nullable()
    .default(null),
  /**
   * Where negatives come from: `random` places outside the boxes of the same samples (the paper's), or
   * `matched` — the boxes' own places on samples without the object there (better when the object always
   * sits in the same place, like glasses on faces).
   */
  negatives: z.enum(['random', 'matched']).default('random'),
  /** Negative locations drawn per positive one. */
  negativesPerPositive: z.number().min(0.1).max(20).default(1),
  /** L2 weight decay of the logistic regression (on standardised activations). */
  weightDecay: z.number().positive().max(10).default(1e-3),
  iterations: z.number().int().min(10).max(5000).default(400),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0)
})
export type FitSettings = z.infer<typeof FitSettings>

/** Fit an erasure: a job (progress, cancel) whose result is a ForgetFitReport. */
export const ForgetFitParams = z.object({
  run: RunCheckpointRef,
  samples: z.array(BoxedSample).min(1).max(1000).refine(hasABox, NO_BOX),
  ...FitSettings.shape
})
export type ForgetFitParams = z.input<typeof ForgetFitParams>

export const EngineForgetFitParams = z.object({
  generator: ModelSource,
  /** count × zDim, flattened. */
  z: FloatVector,
  count: z.number().int().min(1).max(1000),
  /** Boxes of sample i at index i. */
  boxes: z.array(z.array(Box)),
  ...FitSettings.shape
})
export type EngineForgetFitParams = z.infer<typeof EngineForgetFitParams>

/** One feature map's logistic-regression weight: positive means it fires inside the boxes. */
export const MapWeight = z.object({ channel: z.number().int().min(0), weight: z.number() })
export type MapWeight = z.infer<typeof MapWeight>

export const ForgetFitResult = z.object({
  layer: z.string(),
  /** [height, width, channels] of the layer. */
  shape: z.array(z.number().int()),
  /** Layers an erasure can be fitted on, the default (second-highest conv) last. */
  layers: z.array(z.string()),
  /** Every map's weight, largest first. */
  maps: z.array(MapWeight),
  /** The maps with weight > 0, which the paper drops (largest weight first). */
  dropped: z.array(z.number().int().min(0)),
  positives: z.number().int(),
  negatives: z.number().int(),
  /** Accuracy of the regression on its own examples (how separable the object's activations are). */
  accuracy: z.number().min(0).max(1)
})
export type ForgetFitResult = z.infer<typeof ForgetFitResult>
/** A fit's result with its checkpoint and settings (the layer resolved), as the job's result. */
export const ForgetFitReport = ForgetFitResult.extend({ step: z.number().int(), settings: FitSettings })
export type ForgetFitReport = z.infer<typeof ForgetFitReport>

/** A z as JSON keeps it: a seed, or the numbers (saved records hold plain arrays, not Float32Arrays). */
const StoredZ = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('seed'), seed: z.number().int().min(0), index: z.number().int().min(0).default(0) }),
  z.object({ kind: z.literal('z'), z: z.array(z.number()).min(1).max(1024) })
])
export const StoredBoxedSample = z.object({ z: StoredZ, boxes: z.array(Box).max(64) })

/** A saved erasure: which maps of which layer to drop, and what it was fitted from (so it can be refitted). */
export const ErasureRecord = z.object({
  formatVersion: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/),
  name: z.string().min(1).max(200),
  runId: z.string(),
  /** The checkpoint it was fitted on; other checkpoints of the run have other maps. */
  step: z.number().int().min(0),
  erase: ErasureSpec,
  /** The fit's weight of every map, largest first. */
  maps: z.array(MapWeight),
  boxes: z.object({ samples: z.number().int(), boxes: z.number().int() }),
  /** The boxed samples and the settings of the fit: a boxes file and a fit away from the same maps. */
  fittedFrom: z.object({ samples: z.array(StoredBoxedSample), settings: FitSettings }),
  createdAt: z.iso.datetime()
})
export type ErasureRecord = z.infer<typeof ErasureRecord>

export const SaveErasureParams = z.object({
  name: z.string().trim().min(1, 'give the erasure a name').max(200),
  runId: z.string().min(1),
  step: z.number().int().min(0),
  erase: ErasureSpec,
  maps: z.array(MapWeight),
  fittedFrom: z.object({ samples: z.array(BoxedSample).min(1).max(1000), settings: FitSettings })
})
export type SaveErasureParams = z.input<typeof SaveErasureParams>
