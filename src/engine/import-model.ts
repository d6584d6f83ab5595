import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { StudioError } from '../shared/api/errors'
import { ModelConfig } from '../shared/formats/model'
import type { EngineImportModelResult } from '../shared/formats/model-import'
import { type CheckpointMeta, RUN_FILES, RUN_FORMAT_VERSION } from '../shared/formats/run'
import { fillNoise, Rng } from '../shared/latent/random'
import type { EngineParamsParsed } from '../shared/engine-protocol'
import { ModelFileError } from '../node/model-formats/model-file-error'
import { readModel } from '../node/model-formats/read-model'
import type { StoredTensor } from '../node/model-formats/tensor'
import { buildDiscriminator, buildGenerator, saveModel } from './model'
import { createAdam } from './train/adam'
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
    noise: params.noise,
    ...weights.layerOptions
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
  const notes = [...read.notes]
  try {
    if (weights.populationStatistics === 'estimate') notes.push(...estimatePopulationStatistics(generator, discriminator, model, params))
    await publishCheckpoint(params.runDir, meta, async (dir) => {
      if (generator) await saveModel(generator, path.join(dir, RUN_FILES.generator))
      if (discriminator) await saveModel(discriminator, path.join(dir, RUN_FILES.discriminator))
      if (generator && discriminator) {
        // Adam that has taken no step: what `train` continues from when the file carries no optimiser state.
        const optimizers = [createAdam(), createAdam()]
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
      notes,
      ...(read.licence ? { licence: read.licence } : {})
    }
  }
}

type EngineImportModelParams = EngineParamsParsed<'importModel'>

/** Batches the population statistics are estimated in; all of them together make one large batch. */
const STATISTICS_CHUNK = 128

/**
 * BatchNorm population statistics for networks whose file has none (the authors' Theano code normalises every
 * batch by its own statistics): G's from `statisticsSamples` z drawn from the model's noise, D's from G's images
 * of as many more z, so that one image at a time renders as that many would together. Layer by layer, each
 * with the layers before it already normalised by their estimates — the statistics of one batch of that size,
 * gathered in chunks. The notes say so, for the run's provenance.
 */
function estimatePopulationStatistics(
  generator: tf.LayersModel | null,
  discriminator: tf.LayersModel | null,
  model: ModelConfig,
  params: EngineImportModelParams
): string[] {
  const count = Math.ceil(params.statisticsSamples / STATISTICS_CHUNK) * STATISTICS_CHUNK
  const rng = new Rng(params.seed)
  const zBatch = (): tf.Tensor => tf.tensor2d(fillNoise(new Float32Array(STATISTICS_CHUNK * model.zDim), model.noise, rng), [STATISTICS_CHUNK, model.zDim])
  const notes: string[] = []
  const z = model.noise.kind === 'normal' ? `N(${model.noise.mean}, ${model.noise.std}²)` : `U[${model.noise.low}, ${model.noise.high}]`
  if (generator) {
    setBatchNormStatistics(generator, count / STATISTICS_CHUNK, zBatch)
    notes.push(
      `The files have no batch-norm population statistics (their code normalised each batch by its own): G's were estimated from one batch of ${count} z ~ ${z}.`
    )
  }
  if (discriminator) {
    if (generator) {
      setBatchNormStatistics(discriminator, count / STATISTICS_CHUNK, () => tf.tidy(() => generator.predict(zBatch()) as tf.Tensor))
      notes.push(
        `D's batch-norm population statistics were estimated from ${count} of G's images (the authors' probe re-estimated them on the training set, which the studio does not have).`
      )
    } else {
      notes.push(
        "D's file has no batch-norm population statistics and there is no G to estimate them from: D normalises by mean 0, variance 1 until it is trained."
      )
    }
  }
  return notes
}

/** Sets each BatchNorm layer's moving mean and (biased) variance to those of `batches` inputs, in layer order. */
function setBatchNormStatistics(network: tf.LayersModel, batches: number, input: () => tf.Tensor): void {
  for (const layer of network.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const upTo = tf.model({ inputs: network.inputs, outputs: layer.input })
    let sum: Float64Array | null = null
    let sumSquares: Float64Array | null = null
    for (let b = 0; b < batches; b++) {
      const [mean, meanSquare] = tf.tidy(() => {
        const x = input()
        const y = upTo.predict(x) as tf.Tensor
        x.dispose()
        const axes = y.shape.map((_, i) => i).slice(0, -1)
        return [y.mean(axes).dataSync(), y.square().mean(axes).dataSync()]
      }) as [Float32Array, Float32Array]
      sum ??= new Float64Array(mean.length)
      sumSquares ??= new Float64Array(mean.length)
      for (let i = 0; i < mean.length; i++) {
        sum[i] = (sum[i] as number) + (mean[i] as number)
        sumSquares[i] = (sumSquares[i] as number) + (meanSquare[i] as number)
      }
    }
    const means = Float32Array.from(sum as Float64Array, (v) => v / batches)
    const variances = Float32Array.from(sumSquares as Float64Array, (v, i) => Math.max(v / batches - (means[i] as number) ** 2, 0))
    const [gamma, beta] = layer.getWeights()
    const moments = [tf.tensor1d(means), tf.tensor1d(variances)]
    layer.setWeights([gamma as tf.Tensor, beta as tf.Tensor, ...moments])
    tf.dispose(moments)
  }
}

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
