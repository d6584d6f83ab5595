import path from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import { discImages, writeDataset } from '../data/test-datasets'
import { type ModelConfig, paperModelConfig } from '../../shared/formats/model'
import { TrainConfig, type TrainConfigInput } from '../../shared/formats/run'

/**
 * Shared set-up for the trainer's tests: a tiny model (every layer of the paper's 32×32 architecture, eight
 * channels wide) and a generated dataset of discs, small enough that a step takes tens of milliseconds on wasm.
 */

export function tinyModel(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return paperModelConfig({ imageSize: 32, channels: 1, genWidth: 8, discWidth: 8, ...overrides })
}

/** The paper's training settings with a small batch and grid, and schedules far apart unless a test sets them. */
export function tinyTrain(overrides: TrainConfigInput = {}): TrainConfig {
  return TrainConfig.parse({ batchSize: 8, sampleCount: 4, sampleEvery: 1000, checkpointEvery: 1000, seed: 3, ...overrides })
}

/** A dataset of `count` 32×32 grayscale discs under `root`; returns its folder. */
export async function discDataset(root: string, count: number, name = `discs-${count}`): Promise<string> {
  const dir = path.join(root, name)
  await writeDataset(dir, { size: 32, channels: 1, images: discImages(count, 32, 1, count) })
  return dir
}

/** Every weight of a model (BatchNorm statistics included) as plain arrays, in layer order. */
export function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((weight) => weight.read().dataSync() as Float32Array)
}

/** The largest |a − b| over two lists of weights of the same shapes. */
export function maxDifference(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) throw new Error(`${a.length} weights against ${b.length}`)
  let max = 0
  a.forEach((values, i) => {
    const other = b[i] as Float32Array
    if (values.length !== other.length) throw new Error(`weight ${i} has ${values.length} values against ${other.length}`)
    for (let j = 0; j < values.length; j++) max = Math.max(max, Math.abs((values[j] as number) - (other[j] as number)))
  })
  return max
}
