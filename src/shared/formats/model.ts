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
  noise: NoiseSpec.default(PAPER_NOISE),
  /**
   * How a stride-2 convolution pads its input. 'same' is TensorFlow's (for a 5×5 kernel on 32 px: 1 row before,
   * 2 after), what the studio trains with. 'symmetric' is Theano/cuDNN's and PyTorch's padding=⌊(k−1)/2⌋ on every
   * side (2 before and after for 5×5; identical to 'same' for 4×4), and the transposed convolution is that
   * convolution's gradient with an output of exactly twice its input: the authors' own models (Newmu/dcgan_code).
   */
  padding: z.enum(['same', 'symmetric']).default('same'),
  /**
   * G's batch norm on the projection of z: per channel of the 4×4 grid (PyTorch's DCGAN, the studio's), or per
   * unit of the dense output before it is reshaped (the authors' Theano code: 16·w₀ scales and shifts).
   */
  projectionNorm: z.enum(['channel', 'unit']).default('channel'),
  /** BatchNorm's epsilon: PyTorch's 1e-5 (the studio's); the authors' Theano code uses 1e-8. */
  batchNormEpsilon: z.number().positive().max(0.1).default(1e-5)
})
export type ModelConfig = z.infer<typeof ModelConfig>
/**
 * ModelConfig.padding 'symmetric': a conv's input gets `pad` zeros on each side; a deconv's 'valid' output
 * (2n + k − 2) is cropped by `pad` before and `cropAfter` after, to exactly 2n.
 */
export function symmetricPadding(kernelSize: number): { pad: number; cropAfter: number } {
  const pad = Math.floor((kernelSize - 1) / 2)
  return { pad, cropAfter: kernelSize - 2 - pad }
}

/** The settings that make a network compute as another framework's does (a model imported from elsewhere). */
export type LayerOptions = Pick<ModelConfig, 'padding' | 'projectionNorm' | 'batchNormEpsilon'>
export type ModelConfigInput = z.input<typeof ModelConfig>

/** The paper's architecture at the given size, with every other setting at its default. */
export function paperModelConfig(overrides: ModelConfigInput = {}): ModelConfig {
  return ModelConfig.parse(overrides)
}
