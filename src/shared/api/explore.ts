import { z } from 'zod'
import { ClassifierAccuracy } from '../faces/classifier-file'
import { ModelConfig } from '../formats/model'
import { RgbaImage } from './image'

const Seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)

/**
 * Feature maps of one G layer to drop at every location ("forgetting to draw", paper Fig. 6): G's forward pass
 * zeroes them, so every image drawn through this source is drawn without them.
 */
export const ErasureSpec = z.object({
  layer: z.string().regex(/^g_relu\d+$/, 'an erasure drops maps of one of G’s ReLU outputs (g_relu0, g_relu1, …)'),
  channels: z.array(z.number().int().min(0).max(65_535)).max(65_536)
})
export type ErasureSpec = z.infer<typeof ErasureSpec>

/**
 * Which model to explore: a run's checkpoint (null step: its latest), optionally with an erasure — a saved
 * one by id (it pins the checkpoint it was fitted on), or maps given inline (a preview before saving).
 */
export const RunCheckpointRef = z.object({
  id: z.string().min(1),
  step: z.number().int().min(0).nullable().default(null),
  erasure: z
    .union([z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'not an erasure id'), ErasureSpec])
    .nullable()
    .default(null)
})
export type RunCheckpointRef = z.input<typeof RunCheckpointRef>

/**
 * Sample a grid from a generator: a trained run's checkpoint, or (without a run) an untrained generator of
 * the given architecture. The model's own noise distribution is always used.
 */
export const GenerateParams = z.object({
  /** A run and checkpoint step (null: its latest checkpoint), with an optional erasure. */
  run: RunCheckpointRef.nullable().default(null),
  /** Architecture of the untrained generator used when no run is given. */
  model: ModelConfig.default(ModelConfig.parse({})),
  /** Seed for the weights of an untrained generator. */
  weightSeed: Seed.default(1),
  /** Seed that names the samples: the same seed always gives the same z vectors. */
  seed: Seed.default(0),
  count: z.number().int().min(1).max(256).default(16)
})
export type GenerateParams = z.infer<typeof GenerateParams>
export type GenerateParamsInput = z.input<typeof GenerateParams>

/**
 * Which models the engine should use: an untrained pair of the given architecture (seeded weights), or a
 * checkpoint folder (holding generator/ and discriminator/). The Node side resolves runs to folders.
 */
export const ModelSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('untrained'), model: ModelConfig, weightSeed: Seed, erase: ErasureSpec.optional() }),
  z.object({ kind: z.literal('checkpoint'), model: ModelConfig, dir: z.string().min(1), erase: ErasureSpec.optional() })
])
export type ModelSource = z.infer<typeof ModelSource>

export const EngineGenerateParams = z.object({
  generator: ModelSource,
  seed: Seed.default(0),
  count: z.number().int().min(1).max(256).default(16)
})
export type EngineGenerateParams = z.infer<typeof EngineGenerateParams>
export type EngineGenerateParamsInput = z.input<typeof EngineGenerateParams>

export const GeneratedSample = z.object({
  /** The z vector the sample was drawn from; keeps it reproducible and reusable. */
  z: z.instanceof(Float32Array),
  image: RgbaImage
})
export type GeneratedSample = z.infer<typeof GeneratedSample>

export const GenerateResult = z.object({
  samples: z.array(GeneratedSample),
  backend: z.string(),
  millis: z.number().min(0),
  /** Which checkpoint step produced them (null for an untrained generator). */
  step: z.number().int().nullable().default(null)
})
export type GenerateResult = z.infer<typeof GenerateResult>

// ——— Exploration (paper experiments 1, 2, 4, 5): engine-level requests ———

export const FloatVector = z.instanceof(Float32Array)

/** What a feature view or guided backprop looks at: a generated sample (its z) or an image (e.g. from a dataset). */
export const FeatureInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('z'), z: FloatVector }),
  z.object({ kind: z.literal('image'), image: RgbaImage })
])
export type FeatureInput = z.infer<typeof FeatureInput>

/** Render a batch of z vectors (flattened, count × zDim) with a generator. */
export const EngineRenderParams = z.object({
  generator: ModelSource,
  z: FloatVector,
  count: z.number().int().min(1).max(1024)
})
export type EngineRenderParams = z.infer<typeof EngineRenderParams>
export const RenderResult = z.object({ images: z.array(RgbaImage), millis: z.number(), backend: z.string() })
export type RenderResult = z.infer<typeof RenderResult>

export const FeatureMap = z.object({
  channel: z.number().int().min(0),
  /** Mean activation of the map (how strongly this feature fires for the input); maps come strongest first. */
  strength: z.number(),
  /** The map as a grayscale image, normalised per map. */
  image: RgbaImage
})
export const LayerFeatures = z.object({
  name: z.string(),
  kind: z.string(),
  /** [height, width, channels] of the layer's output. */
  shape: z.array(z.number().int()),
  maps: z.array(FeatureMap)
})
export type LayerFeatures = z.infer<typeof LayerFeatures>

export const EngineFeaturesParams = z.object({
  models: ModelSource,
  net: z.enum(['G', 'D']),
  /** G takes a z; D takes an image (or a z, which G turns into an image first). */
  input: FeatureInput,
  /** Only this layer (by name), or every layer. */
  layer: z.string().nullable().default(null),
  maxMapsPerLayer: z.number().int().min(1).max(1024).default(16)
})
export type EngineFeaturesParams = z.infer<typeof EngineFeaturesParams>
export const FeaturesResult = z.object({
  /** The image that went through D (or came out of G). */
  image: RgbaImage,
  layers: z.array(LayerFeatures)
})
export type FeaturesResult = z.infer<typeof FeaturesResult>

export const EngineFiltersParams = z.object({ models: ModelSource })
export const FiltersResult = z.object({
  /** D's first-layer filters as small RGB (or gray) tiles, each normalised to the full range. */
  filters: z.array(RgbaImage),
  kernelSize: z.number().int(),
  count: z.number().int()
})
export type FiltersResult = z.infer<typeof FiltersResult>

export const EngineGuidedParams = z.object({
  models: ModelSource,
  /** Weights seed of the random-init discriminator shown beside the trained one (paper Fig. 5). */
  randomSeed: Seed.default(1),
  input: FeatureInput,
  /** A D conv layer by name (e.g. d_conv3). */
  layer: z.string().min(1),
  /** The feature map to explain; null picks the one that fires most for this input. */
  channel: z.number().int().min(0).nullable().default(null)
})
export type EngineGuidedParams = z.infer<typeof EngineGuidedParams>
export const GuidedResult = z.object({
  image: RgbaImage,
  layer: z.string(),
  channel: z.number().int(),
  /** Guided backpropagation through the trained D. */
  trained: RgbaImage,
  /** The same through a randomly initialised D of the same architecture. */
  random: RgbaImage,
  /** The plain gradient through the trained D, for contrast. */
  plain: RgbaImage
})
export type GuidedResult = z.infer<typeof GuidedResult>

export const EngineEmbedParams = z.object({
  models: ModelSource,
  z: FloatVector,
  count: z.number().int().min(3).max(2000),
  /** Where to place samples: a projection of z itself, or of D's features of their images. */
  projection: z.enum(['z', 'd-features']),
  thumbSize: z.number().int().min(8).max(128).default(32)
})
export type EngineEmbedParams = z.infer<typeof EngineEmbedParams>
export const EmbedResult = z.object({
  /** count × 3 coordinates (first three principal components, scaled to about [-1, 1]). */
  points: FloatVector,
  thumbs: z.array(RgbaImage),
  /** Share of the variance the three components explain. */
  explained: z.number().min(0).max(1)
})
export type EmbedResult = z.infer<typeof EmbedResult>

// ——— Exploration: Studio API (what the UI and CLI ask; the Node side resolves runs and seeds) ———

/**
 * A point in z: named by a seed (sample `index` of grid seed `seed` — reproducible everywhere) or given as a
 * vector (pasted, or the result of arithmetic). Seeds are drawn from the model's own noise distribution.
 */
export const ZSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('seed'), seed: Seed, index: z.number().int().min(0).max(100_000).default(0) }),
  z.object({ kind: z.literal('z'), z: FloatVector })
])
export type ZSpec = z.input<typeof ZSpec>

export const RenderParams = z.object({
  run: RunCheckpointRef,
  z: z.array(ZSpec).min(1).max(256),
  /** For live controls (sliders): the newest request on a channel wins, older ones fail 'superseded'. */
  channel: z.string().max(60).nullable().default(null)
})
export const RenderedSamples = z.object({
  samples: z.array(GeneratedSample),
  step: z.number().int(),
  millis: z.number()
})
export type RenderedSamples = z.infer<typeof RenderedSamples>

export const WalkParams = z.object({
  run: RunCheckpointRef,
  keyframes: z.array(ZSpec).min(2, 'a walk needs at least two keyframes').max(64),
  mode: z.enum(['lerp', 'slerp']).default('slerp'),
  /** Frames per segment (paper Fig. 4: 8, i.e. 9 images from one point to the next including both). */
  stepsPerSegment: z.number().int().min(1).max(600).default(8),
  loop: z.boolean().default(false),
  easing: z.enum(['linear', 'ease-in-out', 'ease-in', 'ease-out']).default('linear')
})
export type WalkParams = z.input<typeof WalkParams>
export const WalkResult = z.object({
  frames: z.array(z.object({ t: z.number(), z: FloatVector, image: RgbaImage })),
  step: z.number().int()
})
export type WalkResult = z.infer<typeof WalkResult>

/** One point of a walk (for scrubbers): the newest request wins; older ones are answered 'superseded'. */
export const WalkPointParams = WalkParams.omit({ stepsPerSegment: true }).extend({ t: z.number().min(0).max(1), channel: z.string().max(60).default('scrub') })

export const RandomWalkParams = z.object({
  run: RunCheckpointRef,
  start: ZSpec,
  steps: z.number().int().min(1).max(600).default(32),
  stepSize: z.number().positive().max(2).default(0.15),
  seed: Seed.default(0)
})

export const ArithmeticParams = z.object({
  run: RunCheckpointRef,
  /** Slots of A − B + C; each holds 1…N exemplars (paper: 3), averaged. */
  a: z.array(ZSpec).min(1).max(32),
  b: z.array(ZSpec).min(1).max(32),
  c: z.array(ZSpec).min(1).max(32),
  /** Uniform noise of ±noise added to the result for its neighbours (paper: 0.25). */
  noise: z.number().min(0).max(2).default(0.25),
  neighbours: z.number().int().min(0).max(63).default(8),
  seed: Seed.default(0)
})
export type ArithmeticParams = z.input<typeof ArithmeticParams>
const SlotResult = z.object({ exemplars: z.array(RgbaImage), mean: FloatVector, meanImage: RgbaImage, pixelMean: RgbaImage })
export const ArithmeticResult = z.object({
  a: SlotResult,
  b: SlotResult,
  c: SlotResult,
  /** mean(A) − mean(B) + mean(C) and its image. */
  result: z.object({ z: FloatVector, image: RgbaImage }),
  /** The result plus uniform noise, for the paper's 3×3 grid around it. */
  neighbours: z.array(z.object({ z: FloatVector, image: RgbaImage })),
  /** The same arithmetic on the pixels of the mean images, for contrast (it fails, as in the paper). */
  pixelResult: RgbaImage,
  step: z.number().int()
})
export type ArithmeticResult = z.infer<typeof ArithmeticResult>

export const FeatureSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sample'), z: ZSpec }),
  z.object({ kind: z.literal('dataset'), datasetId: z.string().min(1), index: z.number().int().min(0) })
])
export const FeaturesParams = z.object({
  run: RunCheckpointRef,
  net: z.enum(['G', 'D']),
  input: FeatureSource,
  layer: z.string().nullable().default(null),
  maxMapsPerLayer: z.number().int().min(1).max(256).default(16)
})
export const FiltersParams = z.object({ run: RunCheckpointRef })
export const GuidedParams = z.object({
  run: RunCheckpointRef,
  input: FeatureSource,
  layer: z.string().min(1),
  channel: z.number().int().min(0).nullable().default(null),
  randomSeed: Seed.default(1)
})
export const MapParams = z.object({
  run: RunCheckpointRef,
  count: z.number().int().min(3).max(1000).default(300),
  seed: Seed.default(0),
  projection: z.enum(['z', 'd-features']).default('d-features')
})
export const MapResult = EmbedResult.extend({
  /** The samples placed, in order: sample i is index i of `seed`. */
  seed: z.number().int(),
  z: FloatVector,
  zDim: z.number().int(),
  step: z.number().int()
})
export type MapResult = z.infer<typeof MapResult>

/** A named latent vector saved in the library: a point (a result) or a direction (e.g. smile = smiling − neutral). */
export const ConceptRecord = z.object({
  formatVersion: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/),
  name: z.string().min(1).max(200),
  kind: z.enum(['point', 'direction']),
  runId: z.string(),
  zDim: z.number().int().min(1),
  vector: z.array(z.number()),
  /** How it was made, so it can be remade: the operation and its exemplars' seeds or vectors. */
  provenance: z.object({ operation: z.string(), details: z.record(z.string(), z.unknown()) }),
  createdAt: z.iso.datetime()
})
export type ConceptRecord = z.infer<typeof ConceptRecord>

export const SaveConceptParams = z.object({
  name: z.string().trim().min(1, 'A name is needed: the concept is listed and exported under it.').max(200, 'A name has at most 200 characters.'),
  kind: z.enum(['point', 'direction']),
  runId: z.string().min(1),
  vector: FloatVector,
  provenance: z.object({ operation: z.string(), details: z.record(z.string(), z.unknown()) })
})

export const ApplyConceptParams = z.object({
  run: RunCheckpointRef,
  z: ZSpec,
  conceptId: z.string().min(1),
  /** Strengths to render (a slider value, or a sweep along the concept — the paper's "turn" vector, Fig. 8). */
  strengths: z.array(z.number().min(-10).max(10)).min(1).max(64)
})

// ——— Face attributes (the demo's classifier; issue "alive on first start") ———

export const FaceProbabilities = z.object({
  smiling: z.number().min(0).max(1),
  masculine: z.number().min(0).max(1),
  glasses: z.number().min(0).max(1),
  pose: z.object({ left: z.number(), frontal: z.number(), right: z.number() })
})
export type FaceProbabilitiesData = z.infer<typeof FaceProbabilities>

/**
 * The face-attribute classifier a run names (RunRecord.classifier, a folder under the library's
 * classifiers/), as the Samples panel offers it: what it scores and how well it did on faces it never saw.
 */
export const ClassifierSummary = z.object({
  id: z.string(),
  size: z.number().int(),
  attributes: z.array(z.string()),
  poses: z.array(z.string()),
  accuracy: ClassifierAccuracy
})
export type ClassifierSummary = z.infer<typeof ClassifierSummary>

/** Samples to score with the run's face-attribute classifier, drawn with the checkpoint and erasure given. */
export const AttributesParams = z.object({ run: RunCheckpointRef, z: z.array(ZSpec).min(1).max(256) })
export const AttributesResult = z.object({
  classifier: z.string(),
  /** One per requested z, in order. */
  probabilities: z.array(FaceProbabilities),
  step: z.number().int()
})
export type AttributesResult = z.infer<typeof AttributesResult>

/** Render z vectors with a generator and classify the images with a face-attribute classifier, in the engine. */
export const EngineClassifySamplesParams = z.object({
  generator: ModelSource,
  classifierDir: z.string().min(1),
  z: FloatVector,
  count: z.number().int().min(1).max(20_000)
})
export const ClassifySamplesResult = z.object({ probabilities: z.array(FaceProbabilities) })

export const EngineTrainClassifierParams = z.object({
  size: z.number().int().min(8).max(256),
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  trainCount: z.number().int().min(10).max(200_000),
  testCount: z.number().int().min(10).max(50_000),
  seed: z.number().int().min(0).default(1),
  epochs: z.number().int().min(1).max(100),
  batchSize: z.number().int().min(1).max(1024).default(64),
  outDir: z.string().min(1)
})
export const TrainClassifierResult = z.object({
  accuracy: z.object({ smiling: z.number(), masculine: z.number(), glasses: z.number(), pose: z.number() }),
  seconds: z.number(),
  dir: z.string()
})
