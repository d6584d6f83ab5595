import { z } from 'zod'
import { ModelConfig } from '../formats/model'
import { RgbaImage } from './image'

const Seed = z.number().int().min(0).max(2 ** 31 - 1)

/**
 * Sample a grid from a generator: a trained run's checkpoint, or (without a run) an untrained generator of
 * the given architecture. The model's own noise distribution is always used.
 */
export const GenerateParams = z.object({
  /** A run and checkpoint step (null: its latest checkpoint). */
  run: z.object({ id: z.string().min(1), step: z.number().int().min(0).nullable().default(null) }).nullable().default(null),
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

/** Which generator the engine should use; the Node side resolves runs to checkpoint folders. */
export const GeneratorSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('untrained'), model: ModelConfig, weightSeed: Seed }),
  z.object({ kind: z.literal('checkpoint'), model: ModelConfig, dir: z.string().min(1) })
])
export type GeneratorSource = z.infer<typeof GeneratorSource>

export const EngineGenerateParams = z.object({
  generator: GeneratorSource,
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
