import { z } from 'zod'
import { ModelConfig } from '../formats/model'
import { RgbaImage } from './image'

/** Sample a grid from a generator. Without a run, an untrained generator of the given architecture is used. */
export const GenerateParams = z.object({
  model: ModelConfig.default(ModelConfig.parse({})),
  /** Seed for the weights of an untrained generator. */
  weightSeed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  /** Seed that names the samples: the same seed always gives the same z vectors. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  count: z.number().int().min(1).max(256).default(16)
})
export type GenerateParams = z.infer<typeof GenerateParams>
export type GenerateParamsInput = z.input<typeof GenerateParams>

export const GeneratedSample = z.object({
  /** The z vector the sample was drawn from; keeps it reproducible and reusable. */
  z: z.instanceof(Float32Array),
  image: RgbaImage
})
export type GeneratedSample = z.infer<typeof GeneratedSample>

export const GenerateResult = z.object({
  samples: z.array(GeneratedSample),
  backend: z.string(),
  millis: z.number().min(0)
})
export type GenerateResult = z.infer<typeof GenerateResult>
