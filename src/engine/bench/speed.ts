import * as tf from '@tensorflow/tfjs'
import { releaseWasmKernelCaches } from '../backend/wasm-kernels'
import { forwardOutput } from '../explore/forward'
import type { Network } from '../explore/models'
import { buildGenerator, describeGenerator } from '../model'
import { trainGanStep } from '../train/gan-step'
import type { BenchConfig, MeasurePolicy } from './configs'
import { median, timeCalls } from './measure'
import { benchModelConfig, buildGanPair, uniformNoise } from './networks'

export interface SpeedResult {
  name: string
  /** In the config's unit: img/s, or ms per frame. */
  value: number
  unit: BenchConfig['unit']
  iterations: number
  medianSeconds: number
}

/** Measures one config on the current tfjs backend. */
export async function measureSpeed(config: BenchConfig, policy: MeasurePolicy): Promise<SpeedResult> {
  const seconds = config.kind === 'train' ? await timeTraining(config, policy) : await timeGeneration(config, policy)
  const perCall = median(seconds)
  const value = config.unit === 'ms/frame' ? (perCall * 1000) / config.batch : config.batch / perCall
  return { name: config.name, value, unit: config.unit, iterations: seconds.length, medianSeconds: perCall }
}

// One call = one full DCGAN step (D update on a real and a fake batch, then G update) through the
// engine's own trainGanStep, losses read back as the trainer does. The real batch is fixed, as the
// reference's is, so data loading is not part of the figure.
async function timeTraining(config: BenchConfig, policy: MeasurePolicy): Promise<number[]> {
  const { pair, dispose } = buildGanPair(config)
  const model = benchModelConfig(config)
  const real = tf.tensor4d(uniformNoise(config.batch * config.imageSize * config.imageSize * 3), [config.batch, config.imageSize, config.imageSize, 3])
  try {
    let tensors = 0
    const seconds = await timeCalls(
      async () => {
        const losses = await trainGanStep(pair, real, uniformNoise(config.batch * model.zDim))
        if (!Number.isFinite(losses.dLoss) || !Number.isFinite(losses.gLoss)) {
          throw new Error(`${config.name}: a training step gave a non-finite loss (D ${losses.dLoss}, G ${losses.gLoss}).`)
        }
      },
      policy,
      // Adam's moments appear in the first step; after the warm-up nothing may accumulate.
      (phase) => {
        if (phase === 'warm') tensors = tf.memory().numTensors
        else if (tf.memory().numTensors !== tensors) {
          throw new Error(`${config.name}: the tensor count went from ${tensors} to ${tf.memory().numTensors} over the measured steps.`)
        }
      }
    )
    return seconds
  } finally {
    real.dispose()
    dispose()
    releaseWasmKernelCaches()
  }
}

// One call = z → image batch with the generator's moving statistics (a trained generator sampling, through
// the explorer's own forward pass, as the reference's G.eval()), read back to JavaScript.
async function timeGeneration(config: BenchConfig, policy: MeasurePolicy): Promise<number[]> {
  const model = benchModelConfig(config)
  const generator = buildGenerator(model, 1)
  const network: Network = { net: 'G', model: generator, plan: describeGenerator(model), config: model, batchStats: false, erase: null }
  try {
    return await timeCalls(async () => {
      const images = tf.tidy(() => forwardOutput(network, tf.tensor2d(uniformNoise(config.batch * model.zDim), [config.batch, model.zDim])))
      await images.data()
      images.dispose()
    }, policy)
  } finally {
    generator.dispose()
    releaseWasmKernelCaches()
  }
}
