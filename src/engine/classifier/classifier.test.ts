import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/select'
import { batchOf, buildClassifier, classify, loadClassifier, renderExamples, saveClassifier, trainClassifier } from '.'
import type { TrainedClassifier } from '.'

// Training on a few hundred 32 px faces for a few epochs takes seconds on wasm and already separates every
// attribute; the ≥ 95% held-out accuracy of the real classifier needs thousands of faces (see README.md).
const root = await mkdtemp(path.join(tmpdir(), 'face-classifier-'))
let trained: TrainedClassifier
let tensorsBefore = 0

beforeAll(async () => {
  await selectBackend('wasm')
  tensorsBefore = tf.memory().numTensors
  trained = await trainClassifier({ size: 32, trainCount: 960, testCount: 200, seed: 3, epochs: 5, batchSize: 32 })
})

afterAll(async () => {
  trained?.model.dispose()
  await rm(root, { recursive: true, force: true })
})

describe('face attribute classifier', () => {
  it('learns each attribute well above chance from a few hundred faces', () => {
    const { accuracy, info } = trained
    expect(accuracy.smiling).toBeGreaterThan(0.7)
    expect(accuracy.masculine).toBeGreaterThan(0.8)
    expect(accuracy.glasses).toBeGreaterThan(0.7)
    expect(accuracy.pose).toBeGreaterThan(0.6)
    expect(info).toMatchObject({ size: 32, channels: 3, attributes: ['smiling', 'masculine', 'glasses'], poses: ['left', 'frontal', 'right'], accuracy })
    expect(info.training).toMatchObject({ trainCount: 960, testCount: 200, seed: 3, epochs: 5, batchSize: 32, steps: 150, backend: 'wasm' })
    expect(Number.isFinite(info.training.finalLoss)).toBe(true)
  })

  it('holds no tensors of its own beyond the model it returns', () => {
    expect(tf.memory().numTensors).toBe(tensorsBefore + trained.model.weights.length)
  })

  it('keeps the tensor count flat across classify calls', async () => {
    const examples = await renderExamples(99, 0, 70, 32)
    const { images, attributes, poses } = batchOf(
      examples,
      Array.from({ length: 70 }, (_, i) => i),
      3
    )
    tf.dispose([attributes, poses])
    await classify(trained.model, images)
    const before = tf.memory().numTensors
    for (let i = 0; i < 3; i++) {
      const probabilities = await classify(trained.model, images)
      expect(probabilities).toHaveLength(70)
      expect(probabilities[0]?.smiling).toBeGreaterThanOrEqual(0)
      expect(Object.values(probabilities[0]?.pose ?? {}).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5)
    }
    expect(tf.memory().numTensors).toBe(before)
    images.dispose()
  })

  it('saves and loads, predicting exactly the same', async () => {
    const dir = path.join(root, 'saved')
    await saveClassifier(trained.model, dir, trained.info)
    const loaded = await loadClassifier(dir)
    expect(loaded.info).toEqual(trained.info)
    const examples = await renderExamples(5, 0, 16, 32)
    const { images, attributes, poses } = batchOf(
      examples,
      Array.from({ length: 16 }, (_, i) => i),
      3
    )
    expect(await classify(loaded.model, images)).toEqual(await classify(trained.model, images))
    tf.dispose([images, attributes, poses])
    loaded.model.dispose()
  })

  it('says what is wrong with a folder that holds no classifier', async () => {
    const empty = path.join(root, 'empty')
    await expect(loadClassifier(empty)).rejects.toThrow(/No face classifier at .*classifier\.json cannot be read/)
    const other = path.join(root, 'other')
    const model = buildClassifier(16)
    await saveClassifier(model, other, { ...trained.info, size: 16 })
    model.dispose()
    await writeFile(path.join(other, 'classifier.json'), JSON.stringify({ ...trained.info, size: 32 }))
    await expect(loadClassifier(other)).rejects.toThrow(/does not hold the face classifier/)
  })

  it('stops when cancelled', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      trainClassifier({ size: 32, trainCount: 64, testCount: 8, seed: 1, epochs: 1, batchSize: 8, signal: controller.signal })
    ).rejects.toMatchObject({ code: 'cancelled' })
  })
})
