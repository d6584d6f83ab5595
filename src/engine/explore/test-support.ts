import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { expect } from 'vitest'
import type { ModelSource } from '../../shared/api/explore'
import type { RgbaImage } from '../../shared/api/image'
import type { ModelConfig } from '../../shared/formats/model'
import { noiseForSeed } from '../../shared/latent/random'
import { discDataset, tinyModel, tinyTrain } from '../train/test-support'
import { Trainer } from '../train/trainer'

/**
 * Shared set-up for the explorer's tests: tiny models (the paper's 32×32 architecture, 8–16 channels wide),
 * seeded z vectors, a trained checkpoint, and the checks every method's test makes.
 */

/** A grayscale 32×32 model, D 8 wide, G 16 wide (as the trainer's learning test uses). */
export const GRAY: ModelConfig = tinyModel({ genWidth: 16 })
/** An RGB 32×32 model, both nets 8 wide. */
export const RGB: ModelConfig = tinyModel({ channels: 3 })

export function untrained(model: ModelConfig, weightSeed = 7): ModelSource {
  return { kind: 'untrained', model, weightSeed }
}

/** `count` z vectors of `seed`, flattened. */
export function zBatch(model: ModelConfig, seed: number, count: number): Float32Array<ArrayBuffer> {
  const flat = new Float32Array(count * model.zDim)
  for (let i = 0; i < count; i++) flat.set(noiseForSeed(seed, i, model.zDim, model.noise), i * model.zDim)
  return flat
}

/**
 * Trains GRAY for `steps` steps on generated discs under `root` and writes a checkpoint. Returns the open
 * trainer (its networks are what the checkpoint holds) and the checkpoint's source; dispose the trainer.
 */
export async function trainedCheckpoint(root: string, steps = 30): Promise<{ trainer: Trainer; source: ModelSource }> {
  const datasetDir = await discDataset(root, 64)
  const runDir = path.join(root, 'run')
  const trainer = await Trainer.open({ runDir, datasetDir, model: GRAY, train: tinyTrain({ batchSize: 16, learningRate: 1e-3 }) })
  for (let i = 0; i < steps; i++) await trainer.trainStep()
  const written = await trainer.writeCheckpoint()
  return { trainer, source: { kind: 'checkpoint', model: GRAY, dir: path.join(runDir, written.dir) } }
}

/** Calls `call` once to warm caches, then checks that two more calls leave no tensor behind. */
export async function expectNoTensorGrowth(call: () => Promise<unknown>): Promise<void> {
  await call()
  const before = tf.memory().numTensors
  await call()
  await call()
  expect(tf.memory().numTensors).toBe(before)
}

/** Pearson correlation of two images' RGB bytes. */
export function correlation(a: RgbaImage, b: RgbaImage): number {
  const x = rgb(a)
  const y = rgb(b)
  const mx = mean(x)
  const my = mean(y)
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my)
    sxx += (x[i]! - mx) ** 2
    syy += (y[i]! - my) ** 2
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0
}

/** Standard deviation of an image's RGB bytes. */
export function spread(image: RgbaImage): number {
  const x = rgb(image)
  const m = mean(x)
  return Math.sqrt(x.reduce((sum, v) => sum + (v - m) ** 2, 0) / x.length)
}

export function rgb(image: RgbaImage): number[] {
  return Array.from(image.data).filter((_, i) => i % 4 !== 3)
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length
}
