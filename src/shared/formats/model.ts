import { z } from 'zod'

/**
 * The noise distribution a generator was trained on. It is stored with every model and used everywhere z is
 * drawn (sampling, walks, sliders): sampling a different range than the model trained on gives bad results.
 * The paper draws 100 dimensions uniformly from [-1, 1].
 */
export const NoiseSpec = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('uniform'),
    low: z.number(),
    high: z.number()
  }),
  z.object({
    kind: z.literal('normal'),
    mean: z.number(),
    std: z.number().positive()
  })
])
export type NoiseSpec = z.infer<typeof NoiseSpec>

export const PAPER_NOISE: NoiseSpec = { kind: 'uniform', low: -1, high: 1 }

export const IMAGE_SIZES = [32, 64, 128] as const
export const ImageSize = z.union([z.literal(32), z.literal(64), z.literal(128)])
export type ImageSize = z.infer<typeof ImageSize>

/** Architecture of a DCGAN pair. Defaults are the paper's (PAPER.md), except where noted. */
export const ModelConfig = z.object({
  /** Square output size in pixels; one transposed-conv layer per doubling from 4×4. */
  imageSize: ImageSize.default(64),
  /** 1 (grayscale) or 3 (RGB). */
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  /** Length of z. Paper: 100. */
  zDim: z.number().int().min(1).max(1024).default(100),
  /** Base width of G (ngf): channels of G's last hidden layer; doubles towards the 4×4 layer. */
  genWidth: z.number().int().min(1).max(512).default(64),
  /** Base width of D (ndf): channels of D's first conv layer; doubles towards the 4×4 layer. */
  discWidth: z.number().int().min(1).max(512).default(64),
  /** Convolution kernel size. The paper's figure shows 5; the PyTorch/Torch ports use 4 (our default). */
  kernelSize: z.union([z.literal(4), z.literal(5)]).default(4),
  /** LeakyReLU slope in D. Paper: 0.2. */
  leakySlope: z.number().min(0).max(1).default(0.2),
  /** Std of the zero-centred normal used to initialise all weights. Paper: 0.02. */
  initStd: z.number().positive().max(1).default(0.02),
  /** The noise distribution z is drawn from. Paper: uniform in [-1, 1]. */
  noise: NoiseSpec.default(PAPER_NOISE)
})
export type ModelConfig = z.infer<typeof ModelConfig>
export type ModelConfigInput = z.input<typeof ModelConfig>

/** The paper's architecture at the given size, with every other setting at its default. */
export function paperModelConfig(overrides: ModelConfigInput = {}): ModelConfig {
  return ModelConfig.parse(overrides)
}
