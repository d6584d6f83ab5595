import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { ModelFileError } from './model-file-error'
import { decodeValues, numel, type StoredTensor } from './tensor'

/**
 * The TensorFlow.js layers-model format on disk, read without tfjs: `model.json` (topology and weights
 * manifest) and the weight files it names, validated and checked against each other. The engine loads models
 * from what this reads; the Node side reads a checkpoint's weights by name from it (to export them).
 */
export const MODEL_JSON = 'model.json'
export const WEIGHTS_BIN = 'weights.bin'

/** The parts of model.json we rely on; the rest is carried through untouched for tfjs to read. */
export const WeightEntry = z.object({
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

export const ModelJsonFile = z.object({
  modelTopology: z.looseObject({ class_name: z.string(), config: z.record(z.string(), z.unknown()) }),
  weightsManifest: z.array(z.object({ paths: z.array(z.string().min(1)).min(1), weights: z.array(WeightEntry) })),
  // Files saved before tfjs 1.0 have no format; anything else named here is a graph model, not ours to load.
  format: z.literal('layers-model').optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  trainingConfig: z.record(z.string(), z.unknown()).optional(),
  userDefinedMetadata: z.record(z.string(), z.unknown()).optional()
})
export type ModelJsonFile = z.infer<typeof ModelJsonFile>

export interface TfjsModelFiles {
  /** model.json, validated. */
  json: ModelJsonFile
  weightSpecs: z.infer<typeof WeightEntry>[]
  /** Every weight file in manifest order, joined: the weights' bytes. */
  weightData: Uint8Array<ArrayBuffer>
}

/** model.json parsed and validated, with its weight files read and checked against the manifest. */
export async function readTfjsModelFiles(dir: string): Promise<TfjsModelFiles> {
  const jsonPath = path.join(dir, MODEL_JSON)
  const json = await readModelJson(jsonPath)
  const buffers: Uint8Array[] = []
  for (const group of json.weightsManifest) {
    for (const relative of group.paths) buffers.push(await readWeightsFile(dir, relative, jsonPath))
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights)
  const weightData = concatBytes(buffers)
  checkWeightBytes(weightSpecs, weightData.byteLength, json, dir, jsonPath)
  return { json, weightSpecs, weightData }
}

/**
 * The weights of a model read by readTfjsModelFiles, by name (`g_bn1/gamma`), in manifest order. Only plain
 * float32 weights are read (the studio saves nothing else); a quantized or other model is refused by name.
 */
export function tfjsWeights(files: TfjsModelFiles, dir: string): Map<string, StoredTensor> {
  const jsonPath = path.join(dir, MODEL_JSON)
  const weights = new Map<string, StoredTensor>()
  let offset = 0
  for (const spec of files.weightSpecs) {
    if (spec.dtype !== 'float32' || spec.quantization) {
      throw new ModelFileError(
        jsonPath,
        `${jsonPath} stores ${spec.name} as ${spec.quantization ? `quantized ${spec.quantization.dtype}` : spec.dtype}; only float32 weights are read.`
      )
    }
    const count = numel(spec.shape)
    weights.set(spec.name, {
      dtype: 'float32',
      shape: spec.shape,
      values: decodeValues(files.weightData.subarray(offset, offset + count * 4), 'float32', count)
    })
    offset += count * 4
  }
  return weights
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
      `${jsonPath} is corrupt (not valid JSON: ${messageOf(error)}). It may have been cut short; ` + 'load an earlier checkpoint instead.',
      { cause: error }
    )
  }
  const parsed = ModelJsonFile.safeParse(data)
  if (!parsed.success) {
    throw new ModelFileError(jsonPath, `${jsonPath} is not a TensorFlow.js layers model: ${z.prettifyError(parsed.error)}`, { cause: parsed.error })
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
function checkWeightBytes(specs: readonly z.infer<typeof WeightEntry>[], actual: number, json: ModelJsonFile, dir: string, jsonPath: string): void {
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
