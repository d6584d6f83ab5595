import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { syncDirectory, writeAndSync } from '../../node/atomic-files'
import { ModelFileError } from '../../node/model-formats/model-file-error'
import { MODEL_JSON, type ModelJsonFile, readTfjsModelFiles, WEIGHTS_BIN } from '../../node/model-formats/tfjs-files'

/**
 * Saving and loading a LayersModel as a directory in the standard TensorFlow.js format: `model.json` (topology
 * and weights manifest) beside `weights.bin`, loadable by `tf.loadLayersModel` in any tfjs app. We write the
 * files ourselves because tfjs-node's file:// handler is not available on the wasm and cpu backends.
 */

export { MODEL_JSON, WEIGHTS_BIN, ModelFileError }

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

/** The tfjs artifacts of the model saved in `dir`. */
async function readArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const { json, weightSpecs, weightData } = await readTfjsModelFiles(dir)
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
