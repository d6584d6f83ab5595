import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { StudioError } from '../shared/api/errors'
import { ModelConfig } from '../shared/formats/model'
import type { EngineImportModelResult } from '../shared/formats/model-import'
import { type CheckpointMeta, RUN_FILES, RUN_FORMAT_VERSION } from '../shared/formats/run'
import { Rng } from '../shared/latent/random'
import type { EngineParamsParsed } from '../shared/engine-protocol'
import { ModelFileError } from '../node/model-formats/model-file-error'
import { readModel } from '../node/model-formats/read-model'
import type { StoredTensor } from '../node/model-formats/tensor'
import { buildDiscriminator, buildGenerator, saveModel } from './model'
import { saveOptimizerStates } from './train/optimizer-state'
import { publishCheckpoint } from './train/run-folder'
import { trainableVariables } from './train/gan-step'

/**
 * A model trained elsewhere becomes step 0 of a run: its file is read (src/node/model-formats), the studio's
 * networks of that shape are built and given its weights — BatchNorm's running statistics included, which the
 * explorer uses as PyTorch's eval() does — and saved as a checkpoint with a fresh Adam state, so the run can
 * train further like any other. A network the file did not hold is not written (features needing it say so).
 */
export async function importModel(params: EngineImportModelParams): Promise<EngineImportModelResult> {
  let read
  try {
    read = await readModel(params.source, params.format)
  } catch (error) {
    if (error instanceof ModelFileError) throw new StudioError('bad_request', error.message)
    throw error
  }
  const { weights } = read
  const model = ModelConfig.parse({
    imageSize: weights.imageSize,
    channels: weights.channels,
    zDim: weights.zDim,
    // A width the file does not have is the other network's (a model imported without it never builds it).
    genWidth: weights.genWidth ?? weights.discWidth,
    discWidth: weights.discWidth ?? weights.genWidth,
    kernelSize: weights.kernelSize,
    leakySlope: read.leakySlope,
    noise: params.noise
  })
  const networks = [...(weights.generator ? (['G'] as const) : []), ...(weights.discriminator ? (['D'] as const) : [])]
  const meta: CheckpointMeta = {
    formatVersion: RUN_FORMAT_VERSION,
    step: 0,
    epoch: 0,
    cursor: 0,
    rng: [...new Rng(params.seed).state()] as [number, number, number, number],
    metrics: null,
    writtenAt: new Date().toISOString()
  }
  const generator = weights.generator ? withWeights(buildGenerator(model, params.seed), weights.generator) : null
  const discriminator = weights.discriminator ? withWeights(buildDiscriminator(model, params.seed), weights.discriminator) : null
  try {
    await publishCheckpoint(params.runDir, meta, async (dir) => {
      if (generator) await saveModel(generator, path.join(dir, RUN_FILES.generator))
      if (discriminator) await saveModel(discriminator, path.join(dir, RUN_FILES.discriminator))
      if (generator && discriminator) {
        // Adam that has taken no step: what `train` continues from when the file carries no optimiser state.
        const optimizers = [tf.train.adam(), tf.train.adam()]
        try {
          await saveOptimizerStates(dir, [
            { name: 'generator', model: generator, optimizer: optimizers[0] as tf.Optimizer, variables: trainableVariables(generator) },
            { name: 'discriminator', model: discriminator, optimizer: optimizers[1] as tf.Optimizer, variables: trainableVariables(discriminator) }
          ])
        } finally {
          for (const optimizer of optimizers) optimizer.dispose()
        }
      }
    })
  } finally {
    generator?.dispose()
    discriminator?.dispose()
  }
  return {
    model,
    imported: {
      format: read.format,
      source: path.resolve(params.source),
      importedAt: new Date().toISOString(),
      files: read.files,
      networks,
      architecture: { imageSize: weights.imageSize, channels: weights.channels, zDim: weights.zDim, genWidth: weights.genWidth, discWidth: weights.discWidth },
      notes: read.notes
    }
  }
}

type EngineImportModelParams = EngineParamsParsed<'importModel'>

/** `model` with every weight replaced by the stored one of the same name (checked: names and shapes agree). */
function withWeights(model: tf.LayersModel, stored: ReadonlyMap<string, StoredTensor>): tf.LayersModel {
  for (const variable of model.weights) {
    const tensor = stored.get(variable.originalName)
    if (!tensor || tensor.shape.join() !== variable.shape.join()) {
      model.dispose()
      throw new StudioError(
        'internal',
        `The imported weights have ${tensor ? `[${tensor.shape.join(', ')}]` : 'nothing'} for ${variable.originalName} [${variable.shape.join(', ')}]; please report this with the file.`
      )
    }
  }
  const values = model.weights.map((variable) => {
    const tensor = stored.get(variable.originalName) as StoredTensor
    return tf.tensor(tensor.values, [...tensor.shape], 'float32')
  })
  model.setWeights(values)
  tf.dispose(values)
  return model
}
