import { z } from 'zod'
import { ModelConfig } from '../formats/model'
import { DirectionsSettings } from './directions'
import { CanvasSpec } from './canvas'
import { ArithmeticParams, ErasureSpec, RunCheckpointRef } from './explore'

/**
 * Exports: walks and loops as videos, GIFs or PNG frames; sample grids, single images and the paper's Fig. 7
 * as PNG; z vectors and concepts as JSON. Every exported file carries a sidecar (`<file>.json`, or
 * `export.json` inside a folder of frames) that says where it came from, precisely enough to render it again.
 */

const Seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)

/**
 * A point in z, as in explore's ZSpec, except that a vector may also be a plain JSON array: a sidecar's
 * request (plain JSON on disk) is then itself valid input, so any export can be rendered again from it.
 */
export const ExportZSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('seed'), seed: Seed, index: z.number().int().min(0).max(100_000).default(0) }),
  z.object({
    kind: z.literal('z'),
    z: z.union([
      z.instanceof(Float32Array),
      z
        .array(z.number())
        .min(1)
        .max(1024)
        .transform((values) => new Float32Array(values))
    ])
  })
])
export type ExportZSpec = z.input<typeof ExportZSpec>

export const VideoFormat = z.enum(['mp4', 'webm', 'gif', 'png'])
export type VideoFormat = z.infer<typeof VideoFormat>

/** How small generated images are enlarged: nearest keeps crisp pixels, lanczos smooths them. */
export const Upscale = z.enum(['nearest', 'lanczos'])
export type Upscale = z.infer<typeof Upscale>

/** How long a walk runs: a number of frames from one keyframe to the next, or a total duration. */
export const WalkTiming = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('frames-per-segment'), frames: z.number().int().min(1).max(3600) }),
  z.object({ kind: z.literal('duration'), seconds: z.number().positive().max(3600) })
])
export type WalkTiming = z.infer<typeof WalkTiming>

/** Paths are on the machine running the studio; a relative one lands in the library's exports/ folder. */
export const OutPath = z.string().trim().min(1, 'choose where to save the export').max(4096)

/** How a video of generated pictures is written (a walk, a grid's sweep). */
export const VideoOutput = {
  fps: z.number().int().min(1).max(120).default(30),
  format: VideoFormat.default('mp4'),
  /** Side in pixels of each picture in the output (rounded up to even for MP4 and WebM). */
  size: z.number().int().min(8).max(4096).default(512),
  upscale: Upscale.default('nearest'),
  /** A file (mp4, webm, gif) or, for PNG frames, a folder. */
  out: OutPath,
  /** Replace an existing file (a folder only when it is empty or holds an earlier frame export). */
  overwrite: z.boolean().default(false)
}

export const ExportWalkParams = z.object({
  run: RunCheckpointRef,
  /** One walk (its keyframes), or several shown side by side as a grid in one video; all move together. */
  walks: z.array(z.array(ExportZSpec).min(2, 'a walk needs at least two keyframes').max(64)).min(1).max(16),
  /** Grid columns when there are several walks (null: as square as possible). */
  columns: z.number().int().min(1).max(16).nullable().default(null),
  mode: z.enum(['lerp', 'slerp']).default('slerp'),
  /** Return to the first keyframe; the last frame is not a repeat of the first, so the video loops seamlessly. */
  loop: z.boolean().default(false),
  easing: z.enum(['linear', 'ease-in-out', 'ease-in', 'ease-out']).default('linear'),
  timing: WalkTiming.default({ kind: 'frames-per-segment', frames: 30 }),
  ...VideoOutput
})
export type ExportWalkParams = z.input<typeof ExportWalkParams>

/** What a finished walk export wrote (the job's result). */
export const ExportedWalk = z.object({
  file: z.string(),
  sidecar: z.string(),
  format: VideoFormat,
  frames: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  fps: z.number(),
  durationSeconds: z.number(),
  step: z.number().int()
})
export type ExportedWalk = z.infer<typeof ExportedWalk>

/**
 * A training timelapse: the run's fixed-noise sample grids in step order, one frame each, with the step and
 * epoch written under each grid and (optionally) a strip of the D and G losses with a cursor at the frame's
 * step; the last frame is held. A run still training exports the grids it has; `fromStep`/`toStep` choose a
 * range (a record pins both, so rendering it again gives the same frames after more training).
 */
export const ExportTimelapseParams = z.object({
  run: z.object({ id: z.string().min(1) }),
  fromStep: z.number().int().min(0).nullable().default(null),
  toStep: z.number().int().min(0).nullable().default(null),
  fps: z.number().int().min(1).max(60).default(10),
  /** Seconds the last frame stays on screen. */
  hold: z.number().min(0).max(60).default(2),
  losses: z.boolean().default(true),
  format: z.enum(['mp4', 'webm', 'gif']).default('mp4'),
  /** Width of the output in pixels (null: the frame enlarged a whole number of times to about 540 px). */
  size: z.number().int().min(64).max(4096).nullable().default(null),
  out: OutPath,
  overwrite: z.boolean().default(false)
})
export type ExportTimelapseParams = z.input<typeof ExportTimelapseParams>

/** What a finished timelapse wrote (the job's result). */
export const ExportedTimelapse = z.object({
  file: z.string(),
  sidecar: z.string(),
  format: z.enum(['mp4', 'webm', 'gif']),
  /** Sample grids shown, and frames written (grids + the frames that hold the last one). */
  grids: z.number().int(),
  frames: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  fps: z.number(),
  durationSeconds: z.number(),
  firstStep: z.number().int(),
  lastStep: z.number().int(),
  losses: z.boolean()
})
export type ExportedTimelapse = z.infer<typeof ExportedTimelapse>

export const ImageOutput = {
  /** Enlargement of each generated image (1 = as generated). */
  scale: z.number().min(0.25).max(64).default(4),
  upscale: Upscale.default('nearest'),
  out: OutPath,
  overwrite: z.boolean().default(false)
}

/** A grid of samples: sample i of grid seed `seed`, i < count (the same grid the Samples panel shows). */
export const ExportSamplesParams = z.object({
  run: RunCheckpointRef,
  seed: Seed.default(0),
  count: z.number().int().min(1).max(256).default(64),
  columns: z.number().int().min(1).max(64).nullable().default(null),
  ...ImageOutput
})
export type ExportSamplesParams = z.input<typeof ExportSamplesParams>

export const ExportImageParams = z.object({ run: RunCheckpointRef, z: ExportZSpec, ...ImageOutput })
export type ExportImageParams = z.input<typeof ExportImageParams>

/** The arithmetic result laid out as the paper's Fig. 7, with the pixel-space contrast below it. */
export const ExportArithmeticParams = ArithmeticParams.omit({ a: true, b: true, c: true }).extend({
  a: z.array(ExportZSpec).min(1).max(32),
  b: z.array(ExportZSpec).min(1).max(32),
  c: z.array(ExportZSpec).min(1).max(32),
  pixelSpace: z.boolean().default(true),
  ...ImageOutput
})
export type ExportArithmeticParams = z.input<typeof ExportArithmeticParams>

/**
 * Forgetting to draw as a figure (paper Fig. 6): the samples as G draws them on top, the same z drawn without
 * the erasure's maps below. `run.erasure` names the erasure (saved, or maps given inline).
 */
export const ExportErasureParams = z.object({
  run: RunCheckpointRef.refine((r) => r.erasure !== null, { error: 'choose the erasure to compare with', path: ['erasure'] }),
  z: z.array(ExportZSpec).min(1).max(64),
  ...ImageOutput
})
export type ExportErasureParams = z.input<typeof ExportErasureParams>

/**
 * Directions without labels as a figure: one row per component, the sample moved from −range σ to +range σ
 * along it in `steps` columns (the middle column is the sample itself when `steps` is odd).
 */
export const ExportDirectionsParams = z.object({
  run: RunCheckpointRef,
  directions: DirectionsSettings,
  z: ExportZSpec,
  /** Which components (0-based, strongest first); null: all of them. */
  components: z.array(z.number().int().min(0).max(63)).min(1).max(64).nullable().default(null),
  range: z.number().positive().max(10).default(3),
  steps: z.number().int().min(2).max(33).default(7),
  ...ImageOutput
})
export type ExportDirectionsParams = z.input<typeof ExportDirectionsParams>
/** A big canvas (src/shared/api/canvas.ts) as PNG: a job (progress, cancel); its result is an ExportedFile. */
export const ExportCanvasParams = z.object({ run: RunCheckpointRef, ...CanvasSpec, ...ImageOutput })
export type ExportCanvasParams = z.input<typeof ExportCanvasParams>

export const ExportVectorsParams = z.object({
  run: RunCheckpointRef,
  z: z.array(ExportZSpec).min(1).max(4096),
  out: OutPath,
  overwrite: z.boolean().default(false)
})
export type ExportVectorsParams = z.input<typeof ExportVectorsParams>

export const ExportConceptParams = z.object({ id: z.string().min(1), out: OutPath, overwrite: z.boolean().default(false) })

/** A file an export wrote, and the sidecar describing it (null where the file describes itself: JSON). */
export const ExportedFile = z.object({
  file: z.string(),
  sidecar: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  bytes: z.number().int()
})
export type ExportedFile = z.infer<typeof ExportedFile>

export const EXPORT_RECORD_VERSION = 1

/**
 * The sidecar: where an exported file came from. `request` is the exact request that made it (checkpoint
 * pinned, vectors as JSON arrays), so passing it back to the same export renders the same frames; `latent`
 * holds every keyframe or sample as a resolved z, for tools that do not know the studio's seeds.
 */
export const ExportRecord = z.object({
  formatVersion: z.literal(EXPORT_RECORD_VERSION),
  kind: z.literal('dcgan-studio-export'),
  operation: z.enum(['walk', 'samples', 'image', 'arithmetic', 'erasure', 'directions', 'timelapse', 'grid', 'grid-video', 'canvas']),
  /** The exported file's (or folder's) name, beside this record. */
  file: z.string(),
  createdAt: z.iso.datetime(),
  studioVersion: z.string().nullable(),
  run: z.object({
    id: z.string(),
    name: z.string(),
    checkpointStep: z.number().int(),
    dataset: z.string().nullable(),
    model: ModelConfig,
    /** The feature maps G drew without (forgetting to draw), or null. */
    erasure: ErasureSpec.nullable().default(null)
  }),
  request: z.record(z.string(), z.unknown()),
  latent: z.record(z.string(), z.unknown()),
  output: z.record(z.string(), z.unknown()),
  encoder: z.object({ ffmpeg: z.string().nullable(), args: z.array(z.string()) }).nullable()
})
export type ExportRecord = z.infer<typeof ExportRecord>
