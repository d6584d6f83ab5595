import { z } from 'zod'
import { ModelSource, RunCheckpointRef } from './explore'

/**
 * Directions found without labels (GANSpace, Härkönen et al. 2020): sample many z, take one early G layer's
 * activations, find their principal components, and carry each back to z by linear regression. A component is
 * kept as the z offset of one standard deviation along it, so a slider in "σ" is the same everywhere: the
 * Directions panel, a saved concept (strength 1 = 1σ), a strip from −3σ to +3σ.
 */

const Seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)

export const DEFAULT_DIRECTION_SAMPLES = 10_000
export const DEFAULT_DIRECTION_COUNT = 20

/** G's layers whose activations can be analysed: the projection of z and each ReLU output before the image. */
export function directionLayers(model: { imageSize: number }): string[] {
  const hidden = Math.log2(model.imageSize / 4)
  return ['g_project', ...Array.from({ length: hidden }, (_, i) => `g_relu${i}`)]
}

/** The layer GANSpace's recipe starts from when none is chosen: the first non-linear one (BN + ReLU on 4×4). */
export const DEFAULT_DIRECTION_LAYER = 'g_relu0'

/** What to analyse; the same settings on the same checkpoint always find the same directions. */
export const DirectionsSettings = z.object({
  layer: z.string().min(1).default(DEFAULT_DIRECTION_LAYER),
  samples: z.number().int().min(100, 'at least 100 samples: fewer cannot show 20 components').max(100_000).default(DEFAULT_DIRECTION_SAMPLES),
  top: z.number().int().min(1).max(64).default(DEFAULT_DIRECTION_COUNT),
  /** Names the z vectors sampled (sample i of this grid seed, as everywhere in the studio). */
  seed: Seed.default(0)
})
export type DirectionsSettings = z.infer<typeof DirectionsSettings>

/** A run's checkpoint and the settings; any erasure on the reference is ignored (directions are G's own). */
export const DirectionsParams = DirectionsSettings.extend({ run: RunCheckpointRef })
export type DirectionsParams = z.input<typeof DirectionsParams>

export const EngineDirectionsParams = DirectionsSettings.extend({ generator: ModelSource })
export type EngineDirectionsParams = z.input<typeof EngineDirectionsParams>

const Vector = z.union([
  z.instanceof(Float32Array),
  z
    .array(z.number())
    .min(1)
    .max(1024)
    .transform((values) => new Float32Array(values))
])

export const DirectionComponent = z.object({
  /** The z offset of one standard deviation along the component (z += s · vector moves it by s σ). */
  vector: Vector,
  /** The variance of the layer's activations along the component. */
  variance: z.number().min(0),
  /** Its share of the layer's total variance. */
  explained: z.number().min(0).max(1)
})
export type DirectionComponent = z.infer<typeof DirectionComponent>

export const EngineDirectionsResult = z.object({
  layer: z.string(),
  /** The layer's output shape for one sample ([h, w, c] or [units]). */
  layerShape: z.array(z.number().int()),
  totalVariance: z.number().min(0),
  components: z.array(DirectionComponent),
  iterations: z.number().int(),
  backend: z.string(),
  millis: z.number()
})
export type EngineDirectionsResult = z.infer<typeof EngineDirectionsResult>

export const DIRECTIONS_FORMAT_VERSION = 1

/**
 * Directions as the studio keeps them (in the run's folder, one file per checkpoint and settings) and as the CLI
 * writes them (`directions --out dirs.json`): readable by other tools, and enough to find them again.
 */
export const DirectionsReport = EngineDirectionsResult.extend({
  formatVersion: z.literal(DIRECTIONS_FORMAT_VERSION),
  kind: z.literal('dcgan-studio-directions'),
  run: z.object({ id: z.string(), name: z.string(), checkpointStep: z.number().int() }),
  zDim: z.number().int().min(1),
  settings: DirectionsSettings,
  createdAt: z.iso.datetime()
})
export type DirectionsReport = z.infer<typeof DirectionsReport>
