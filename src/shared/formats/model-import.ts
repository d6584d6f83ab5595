import { z } from 'zod'
import { ImageSize, ModelConfig, NoiseSpec } from './model'

/**
 * Models from elsewhere: where an imported run came from (kept in its run.json), the formats the studio reads
 * and writes, and what a run holding only one of the two networks can do.
 */

/** G, the generator, and D, the discriminator. */
export const NetName = z.enum(['G', 'D'])
export type NetName = z.infer<typeof NetName>

/** The model file formats, each with one reader and one mapping to the studio's layout (src/node/model-formats). */
export const ModelFileFormat = z.enum(['pytorch', 'safetensors', 'tfjs', 'theano'])
export type ModelFileFormat = z.infer<typeof ModelFileFormat>

export const MODEL_FORMAT_LABELS: Readonly<Record<ModelFileFormat, string>> = {
  pytorch: 'PyTorch state dicts (netG.pth, netD.pth)',
  safetensors: 'safetensors (netG.safetensors, netD.safetensors)',
  tfjs: 'TensorFlow.js layers model (a studio export)',
  theano: "the paper authors' Theano parameters (Newmu/dcgan_code: EPOCH_gen_params.jl, EPOCH_discrim_params.jl and their .npy files)"
}

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 is 64 lowercase hex digits')

/** The longest licence text an import keeps (the MIT licence is about 1,100 characters, the GPL's 35,000). */
export const LICENCE_MAX_CHARS = 40000

/** One file an import read. */
export const ImportedFile = z.object({
  /** The file's name, and its path on the machine that imported it. */
  name: z.string().min(1),
  path: z.string().min(1),
  network: NetName,
  bytes: z.number().int().min(0),
  sha256: Sha256
})
export type ImportedFile = z.infer<typeof ImportedFile>

/** The architecture read from the tensors' shapes (a width is null when that network was not imported). */
export const ImportedArchitecture = z.object({
  imageSize: ImageSize,
  channels: z.union([z.literal(1), z.literal(3)]),
  zDim: z.number().int().min(1),
  genWidth: z.number().int().min(1).nullable(),
  discWidth: z.number().int().min(1).nullable()
})
export type ImportedArchitecture = z.infer<typeof ImportedArchitecture>

/** `imported` in run.json: the run holds a model trained elsewhere, as step 0, with no training history here. */
export const ImportedFrom = z.object({
  format: ModelFileFormat,
  /** The path the user gave (a file or a folder). */
  source: z.string().min(1),
  importedAt: z.iso.datetime(),
  files: z.array(ImportedFile).min(1).max(4),
  /** The networks the files held: both, or one (see missingNetworkMessage). */
  networks: z.array(NetName).min(1).max(2),
  architecture: ImportedArchitecture,
  /** What the reader noticed and the user should know (which epoch's files were picked, a key prefix …). */
  notes: z.array(z.string()).max(20).default([]),
  /** Who made the model and where it was published, when known (the shipped SVHN demo says; an import does not guess). */
  provenance: z.string().max(2000).optional(),
  /** The licence file found beside the model's files (LICENSE, COPYING …): it travels with the model. */
  licence: z.object({ file: z.string().min(1), text: z.string().max(LICENCE_MAX_CHARS) }).optional()
})
export type ImportedFrom = z.infer<typeof ImportedFrom>

/** The networks a run has: both for a run trained here, the imported ones otherwise. */
export function networksOf(record: { imported?: { networks: readonly NetName[] } | undefined }): readonly NetName[] {
  return record.imported?.networks ?? ['G', 'D']
}

const NEEDS: Readonly<Record<NetName, string>> = {
  G: "samples, walks, vector arithmetic, the latent map, G's feature maps, forgetting to draw, projecting images into z, attribute scores, sample exports and training",
  D: "D's feature maps and filters, guided backpropagation, the linear probe, projecting by D's features and training"
}

/**
 * The error for a feature that needs a network the run does not have. A run imported from netG.pth alone can do
 * everything that needs only G; from netD.pth alone, everything that needs only D; training needs both.
 */
export function missingNetworkMessage(net: NetName, files: readonly string[] = []): string {
  const name = net === 'G' ? 'generator (G)' : 'discriminator (D)'
  const from = files.length > 0 ? ` (from ${files.join(' and ')} alone)` : ''
  const other = net === 'G' ? 'netG.pth' : 'netD.pth'
  return `This model was imported without its ${name}${from}, and ${NEEDS[net]} need it. Import it again together with its ${other} (give the folder holding both) to use them.`
}

/** What `import-model --format` accepts: a format, or auto (read from the files themselves). */
export const ModelFormatChoice = z.enum(['auto', ...ModelFileFormat.options])
export type ModelFormatChoice = z.infer<typeof ModelFormatChoice>

const STATISTICS_SAMPLES = z.number().int().min(128).max(65536)

/**
 * Engine: read a model file (or folder) and write it as step 0 of the run folder `runDir` (a staging folder
 * the caller moves into place): the networks it holds, a fresh optimiser state, checkpoint.json, latest.json.
 */
export const EngineImportModelParams = z.object({
  source: z.string().min(1),
  format: ModelFormatChoice.default('auto'),
  runDir: z.string().min(1),
  /** The noise z is drawn from; main.py samples N(0, 1). */
  noise: NoiseSpec,
  /** Seeds the trainer's random stream when the run trains further (and the z of estimated statistics). */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  /** How many z (and G's images, for D) estimate batch-norm statistics a file does not have (Theano's). */
  statisticsSamples: STATISTICS_SAMPLES.default(2048)
})
export const EngineImportModelResult = z.object({
  model: ModelConfig,
  imported: ImportedFrom
})
export type EngineImportModelResult = z.infer<typeof EngineImportModelResult>

/** Runs → Import a model… and import-model: the path (a file, or a folder holding G and D) and how to read it. */
export const ImportModelParams = z.object({
  source: z.string().trim().min(1, 'give the path of a model file or of a folder holding netG and netD'),
  format: ModelFormatChoice.default('auto'),
  name: z.string().max(200).optional(),
  /** main.py samples z from N(0, 1); a model trained on the paper's uniform noise needs uniform. */
  noise: NoiseSpec.default({ kind: 'normal', mean: 0, std: 1 }),
  /** For a file without batch-norm population statistics (Theano's): how many z estimate them (default 2048). */
  statisticsSamples: STATISTICS_SAMPLES.optional()
})
export type ImportModelParams = z.input<typeof ImportModelParams>

/** The formats a run's model exports to (the authors' Theano format is read, not written). */
export const ExportFormat = ModelFileFormat.exclude(['theano'])
export type ExportFormat = z.infer<typeof ExportFormat>

/** Where a run's model goes and in which format (export-model, Runs → Export model…). */
export const ExportModelParams = z.object({
  runId: z.string().min(1),
  step: z.number().int().min(0).nullable().default(null),
  format: ExportFormat,
  /** A folder (created if needed); the files are written into it. */
  out: z.string().min(1)
})
export type ExportModelParams = z.input<typeof ExportModelParams>
export const ExportModelResult = z.object({
  format: ExportFormat,
  step: z.number().int().min(0),
  dir: z.string(),
  files: z.array(z.string())
})
export type ExportModelResult = z.infer<typeof ExportModelResult>
