import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { syncDirectory, writeAndSync } from '../../node/atomic-files'

/**
 * Saving and loading a LayersModel as a directory in the standard TensorFlow.js format: `model.json` (topology
 * and weights manifest) beside `weights.bin`, loadable by `tf.loadLayersModel` in any tfjs app. We write the
 * files ourselves because tfjs-node's file:// handler is not available on the wasm and cpu backends.
 */

export const MODEL_JSON = 'model.json'
export const WEIGHTS_BIN = 'weights.bin'

/** A model file that is missing, unreadable or corrupt; `file` is its path, for messages and recovery. */
export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'ModelFileError'
  }
}

/** The parts of model.json we rely on; the rest is carried through untouched for tfjs to read. */
const WeightEntry = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
  group: z.enum(['model', 'optimizer']).optional(),
  quantization: z
    .object({
      scale: z.number().optional(),
      min: z.number().optional(),
      dtype: z.enum(['uint16', 'uint8', 'float16'])
    })
    .optional()
})

const ModelJsonFile = z.object({
  modelTopology: z.looseObject({ class_name: z.string(), config: z.record(z.string(), z.unknown()) }),
  weightsManifest: z.array(z.object({ paths: z.array(z.string().min(1)).min(1), weights: z.array(WeightEntry) })),
  // Files saved before tfjs 1.0 have no format; anything else named here is a graph model, not ours to load.
  format: z.literal('layers-model').optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  trainingConfig: z.record(z.string(), z.unknown()).optional(),
  userDefinedMetadata: z.record(z.string(), z.unknown()).optional()
})
type ModelJsonFile = z.infer<typeof ModelJsonFile>

/**
 * Writes `model` to `dir` (created if needed) as model.json + weights.bin, replacing any model already there.
 * Each file is written to a temporary name in the same directory, flushed to disk, then renamed into place,
 * so a crash never leaves a half-written file under a real name. model.json is renamed last: it is what
 * readers open first, and it only ever appears once its weights are complete.
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  await model.save(directorySaver(dir))
}

/** Reads a model saved by `saveModel` (or by any tfjs app in the same format) from `dir`. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const jsonPath = path.join(dir, MODEL_JSON)
  const artifacts = await readArtifacts(dir)
  try {
    return await tf.loadLayersModel({ load: () => Promise.resolve(artifacts) })
  } catch (error) {
    // Topology or weights tfjs cannot use: say which file, and keep tfjs's own reason.
    throw new ModelFileError(jsonPath, `Could not build a model from ${jsonPath}: ${messageOf(error)}`, {
      cause: error
    })
  }
}

/** An IOHandler whose save writes the artifacts atomically into `dir`. */
function directorySaver(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      if (artifacts.modelTopology instanceof ArrayBuffer || artifacts.modelTopology === undefined) {
        throw new Error('saveModel only saves layers models: the model has no JSON topology')
      }
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)))
      const json: ModelJsonFile = {
        modelTopology: artifacts.modelTopology as ModelJsonFile['modelTopology'],
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        ...(artifacts.trainingConfig && { trainingConfig: { ...artifacts.trainingConfig } }),
        ...(artifacts.userDefinedMetadata && { userDefinedMetadata: artifacts.userDefinedMetadata })
      }
      await writeFilesAtomically(dir, [
        [WEIGHTS_BIN, weights],
        [MODEL_JSON, new TextEncoder().encode(JSON.stringify(json))]
      ])
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
    }
  }
}

/**
 * Writes each file to a temporary sibling, fsyncs it, then renames all into place in the given order and
 * fsyncs the directory so the renames themselves survive a power cut. Temporaries are removed on failure.
 */
async function writeFilesAtomically(dir: string, files: readonly (readonly [string, Uint8Array])[]): Promise<void> {
  // A random suffix keeps two concurrent saves to the same directory from writing into each other's files.
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  const staged = files.map(([name, data]) => ({ name, data, temp: path.join(dir, `.${name}.${suffix}`) }))
  try {
    for (const file of staged) await writeAndSync(file.temp, file.data)
    for (const file of staged) await rename(file.temp, path.join(dir, file.name))
  } catch (error) {
    await Promise.all(staged.map((file) => rm(file.temp, { force: true })))
    throw error
  }
  await syncDirectory(dir)
}

/** model.json parsed and validated, with its weight files read and checked against the manifest. */
async function readArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = path.join(dir, MODEL_JSON)
  const json = await readModelJson(jsonPath)
  const buffers: Uint8Array[] = []
  for (const group of json.weightsManifest) {
    for (const relative of group.paths) buffers.push(await readWeightsFile(dir, relative, jsonPath))
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights)
  const weightData = concatBytes(buffers)
  checkWeightBytes(weightSpecs, weightData.byteLength, json, dir, jsonPath)
  return {
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData: weightData.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    ...(json.trainingConfig && { trainingConfig: json.trainingConfig as unknown as tf.io.TrainingConfig }),
    ...(json.userDefinedMetadata && { userDefinedMetadata: json.userDefinedMetadata as NonNullable<tf.io.ModelArtifacts['userDefinedMetadata']> })
  }
}

async function readModelJson(jsonPath: string): Promise<ModelJsonFile> {
  let text: string
  try {
    text = await readFile(jsonPath, 'utf8')
  } catch (error) {
    const reason = isMissing(error) ? 'it does not exist' : messageOf(error)
    throw new ModelFileError(jsonPath, `No model to load at ${jsonPath}: ${reason}`, { cause: error })
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new ModelFileError(
      jsonPath,
      `${jsonPath} is corrupt (not valid JSON: ${messageOf(error)}). It may have been cut short; ` +
        'load an earlier checkpoint instead.',
      { cause: error }
    )
  }
  const parsed = ModelJsonFile.safeParse(data)
  if (!parsed.success) {
    throw new ModelFileError(
      jsonPath,
      `${jsonPath} is not a TensorFlow.js layers model: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error }
    )
  }
  return parsed.data
}

/** One weights file named by the manifest. Paths must stay inside the model's directory. */
async function readWeightsFile(dir: string, relative: string, jsonPath: string): Promise<Uint8Array> {
  const file = path.resolve(dir, relative)
  const fromDir = path.relative(path.resolve(dir), file)
  if (fromDir === '' || fromDir.startsWith('..') || path.isAbsolute(fromDir)) {
    throw new ModelFileError(jsonPath, `${jsonPath} names a weights file outside its directory: '${relative}'`)
  }
  try {
    return await readFile(file)
  } catch (error) {
    const reason = isMissing(error) ? 'it does not exist' : messageOf(error)
    throw new ModelFileError(file, `Cannot read weights file ${file} (listed in ${jsonPath}): ${reason}`, {
      cause: error
    })
  }
}

/**
 * The weights must be exactly as long as the manifest says. A shorter file is truncated, a longer one belongs
 * to another save; either way tfjs would read garbage or fail with a message that names no file.
 */
function checkWeightBytes(
  specs: readonly z.infer<typeof WeightEntry>[],
  actual: number,
  json: ModelJsonFile,
  dir: string,
  jsonPath: string
): void {
  const expected = expectedWeightBytes(specs)
  if (expected === undefined || expected === actual) return
  const files = json.weightsManifest.flatMap((group) => group.paths.map((p) => path.resolve(dir, p)))
  const named = files.join(', ')
  throw new ModelFileError(
    files[0] ?? jsonPath,
    `${named} holds ${actual} bytes but ${jsonPath} describes ${expected} bytes of weights: ` +
      `the weights file is ${actual < expected ? 'truncated' : 'from a different save'}. ` +
      'Load an earlier checkpoint instead.'
  )
}

/** Bytes the manifest's weights take, or undefined when it has string weights (their size is in the data). */
function expectedWeightBytes(specs: readonly z.infer<typeof WeightEntry>[]): number | undefined {
  const bytesPer = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 } as const
  let total = 0
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype
    if (dtype === 'string') return undefined
    total += spec.shape.reduce((product, dim) => product * dim, 1) * bytesPer[dtype]
  }
  return total
}

function concatBytes(buffers: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0))
  let offset = 0
  for (const buffer of buffers) {
    out.set(buffer, offset)
    offset += buffer.byteLength
  }
  return out
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
