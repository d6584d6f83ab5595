import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSwiftShader } from '../../../../tests/support/swiftshader'
import { buildDiscriminator, buildGenerator } from '../../model'
import { createAdam } from '../../train/adam'
import { type GanPair, logitsOf, trainableVariables, trainGanStep } from '../../train/gan-step'
import { loadOptimizerStates, type OptimizedNetwork, saveOptimizerStates } from '../../train/optimizer-state'
import { tinyModel } from '../../train/test-support'
import { ADAM_EPSILON } from '../../train/trainer'
import { releaseBackend, selectBackend } from '../select'
import { randomValues } from '../test-support'
import { countGpuDispatches } from './dispatch-count'

/**
 * The studio's Adam (train/adam.ts) on webgpu, where each variable's update is one GPU program, against tfjs's
 * Adam on cpu: the same weights and moments step after step on DCGAN-shaped variables, the same state through a
 * checkpoint, nothing accumulating, and fewer programs dispatched per training step.
 */

const LEARNING_RATE = 2e-4
const BETA1 = 0.5
const BETA2 = 0.999
const STEPS = 4

/** A conv kernel of D, a BatchNorm gamma and beta, and a dense kernel (G's projection at 32 px, 16 wide). */
const SHAPES: Record<string, number[]> = {
  conv: [4, 4, 64, 128],
  gamma: [128],
  beta: [128],
  dense: [100, 2048]
}

beforeAll(() => requireSwiftShader())
afterAll(() => releaseBackend())

function initialValues(name: string, index: number): Float32Array {
  const { values } = randomValues(SHAPES[name]!, 100 + index)
  // Weights like the studio's: N(0, 0.02)-sized, and gamma near 1.
  return Float32Array.from(values, (x) => (name === 'gamma' ? 1 + 0.02 * x : 0.02 * x))
}

/** Step `step`'s gradient for a variable: of a size that changes from step to step and variable to variable. */
function gradientValues(name: string, index: number, step: number): Float32Array {
  const { values } = randomValues(SHAPES[name]!, 1000 * step + index)
  const scale = 10 ** -(1 + ((index + step) % 4))
  return Float32Array.from(values, (x) => x * scale)
}

interface Run {
  /** After each step: every variable's values, then getWeights() (iterations, every m, every v). */
  steps: Array<{ values: Float32Array[]; weights: Array<{ name: string; values: Float32Array }> }>
  /** The values of a clone of the conv kernel taken before the first step. */
  clone: Float32Array | null
}

/** STEPS Adam steps on fresh variables; the optimizer is tfjs's or the studio's. */
async function adamSteps(backend: 'cpu' | 'webgpu', optimizer: () => tf.Optimizer, keepClone: boolean): Promise<Run> {
  await selectBackend(backend)
  const names = Object.keys(SHAPES)
  const variables = names.map((name, i) => tf.variable(tf.tensor(initialValues(name, i), SHAPES[name]), true, `adam_test_${backend}_${name}`))
  // A clone shares its variable's data: an update written in place would change it too.
  const clone = keepClone ? tf.clone(variables[0]!) : null
  const adam = optimizer()
  const run: Run = { steps: [], clone: null }
  for (let step = 1; step <= STEPS; step++) {
    const gradients = names.map((name, i) => ({ name: variables[i]!.name, tensor: tf.tensor(gradientValues(name, i, step), SHAPES[name]) }))
    adam.applyGradients(gradients)
    tf.dispose(gradients.map((g) => g.tensor))
    const weights = await adam.getWeights()
    run.steps.push({
      values: await Promise.all(variables.map(async (v) => (await v.data()) as Float32Array)),
      weights: await Promise.all(weights.map(async (w) => ({ name: w.name, values: (await w.tensor.data()) as Float32Array })))
    })
    // getWeights() makes a fresh tensor for the iteration count; the moments are the optimizer's own.
    weights[0]!.tensor.dispose()
  }
  if (clone) run.clone = (await clone.data()) as Float32Array
  clone?.dispose()
  adam.dispose()
  tf.dispose(variables)
  return run
}

/** The largest difference against the largest |expected| of one tensor. */
function relativeToLargest(actual: Float32Array, expected: Float32Array): number {
  let worst = 0
  let scale = 0
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!))
    scale = Math.max(scale, Math.abs(expected[i]!))
  }
  return scale === 0 ? worst : worst / scale
}

const tfjsAdam = (): tf.Optimizer => tf.train.adam(LEARNING_RATE, BETA1, BETA2, ADAM_EPSILON)
const studioAdam = (): tf.Optimizer => createAdam(LEARNING_RATE, BETA1, BETA2, ADAM_EPSILON)

describe("the studio's Adam", () => {
  let cpu: Run
  beforeAll(async () => {
    cpu = await adamSteps('cpu', tfjsAdam, false)
  })

  it("is tfjs's Adam, bit for bit, on cpu", async () => {
    const ours = await adamSteps('cpu', studioAdam, false)
    expect(ours.steps).toEqual(cpu.steps)
  })

  it('updates DCGAN-shaped variables on webgpu as tfjs does on cpu, with the bias correction of each step', async () => {
    const webgpu = await adamSteps('webgpu', studioAdam, true)
    webgpu.steps.forEach((after, s) => {
      const reference = cpu.steps[s]!
      after.values.forEach((values, i) => {
        // float32 ops in tfjs's order; a compiler may fuse a multiply-add (one rounding less): measured far
        // below 1e-6 of the largest value.
        const error = relativeToLargest(values, reference.values[i]!)
        if (process.env['REPORT_ERRORS']) console.log(`step ${s + 1}, variable ${i}: ${error.toExponential(2)}`)
        expect(error, `step ${s + 1}, variable ${i}`).toBeLessThan(1e-6)
      })
      // getWeights(): the same names in the same order (iterations, every m, every v) and the same moments.
      expect(after.weights.map((w) => w.name)).toEqual(reference.weights.map((w) => w.name.replace('_cpu_', '_webgpu_')))
      expect(Array.from(after.weights[0]!.values)).toEqual([s + 1])
      after.weights.slice(1).forEach((moment, i) => {
        const error = relativeToLargest(moment.values, reference.weights[i + 1]!.values)
        if (process.env['REPORT_ERRORS']) console.log(`step ${s + 1}, ${moment.name}: ${error.toExponential(2)}`)
        expect(error, `step ${s + 1}, ${moment.name}`).toBeLessThan(1e-6)
      })
    })
    // The clone kept the values it was taken with.
    expect(webgpu.clone).toEqual(initialValues('conv', 0))
  })

  it('holds its tensor count and GPU memory flat across steps on webgpu', async () => {
    await selectBackend('webgpu')
    const names = Object.keys(SHAPES)
    const variables = names.map((name, i) => tf.variable(tf.tensor(initialValues(name, i), SHAPES[name]), true))
    const adam = studioAdam()
    const memory = (): tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number } => tf.memory()
    // tfjs-backend-webgpu's buffer pool: the GPU buffers in use and those kept for reuse.
    const pool = (tf.backend() as unknown as { bufferManager: { getNumUsedBuffers(): number; getNumFreeBuffers(): number } }).bufferManager
    const readings: Array<{ tensors: number; dataIds: number; gpu: number; allocated: number; buffers: [number, number] }> = []
    for (let step = 1; step <= 5; step++) {
      const gradients = names.map((name, i) => ({ name: variables[i]!.name, tensor: tf.tensor(gradientValues(name, i, step), SHAPES[name]) }))
      adam.applyGradients(gradients)
      tf.dispose(gradients.map((g) => g.tensor))
      await variables[0]!.data()
      const m = memory()
      readings.push({
        tensors: m.numTensors,
        dataIds: tf.backend().numDataIds(),
        gpu: m.numBytesInGPU ?? NaN,
        allocated: m.numBytesAllocatedInGPU ?? NaN,
        buffers: [pool.getNumUsedBuffers(), pool.getNumFreeBuffers()]
      })
    }
    adam.dispose()
    tf.dispose(variables)
    // The first step makes the moments; after it nothing may grow: tensors, data, GPU buffers and bytes, in use
    // or kept for reuse.
    const [, settled, ...later] = readings
    for (const reading of later) expect(reading).toEqual(settled)
  })

  it('resumes from a checkpoint of its state exactly as it would have continued', async () => {
    await selectBackend('webgpu')
    const dir = await mkdtemp(path.join(tmpdir(), 'adam-state-'))
    const model = tinyModel({ channels: 3 })
    const network = (built: tf.LayersModel, optimizer: tf.Optimizer): OptimizedNetwork => ({
      name: 'discriminator',
      model: built,
      optimizer,
      variables: trainableVariables(built)
    })
    const gradientsFor = (variables: tf.Variable[], step: number) =>
      variables.map((v, i) => {
        const { values } = randomValues(v.shape, 500 * step + i)
        return {
          name: v.name,
          tensor: tf.tensor(
            Float32Array.from(values, (x) => x * 10 ** -(1 + (i % 3))),
            v.shape
          )
        }
      })
    const step = (net: OptimizedNetwork, s: number): void => {
      const gradients = gradientsFor(net.variables, s)
      net.optimizer.applyGradients(gradients)
      tf.dispose(gradients.map((g) => g.tensor))
    }
    const read = (variables: tf.Variable[]) => Promise.all(variables.map(async (v) => (await v.data()) as Float32Array))
    try {
      // Two steps, a checkpoint (weights and optimizer state), two more.
      const original = network(buildDiscriminator(model, 7), studioAdam())
      step(original, 1)
      step(original, 2)
      const saved = await read(original.variables)
      await saveOptimizerStates(dir, [original])
      step(original, 3)
      step(original, 4)
      const continued = await read(original.variables)
      const continuedState = await original.optimizer.getWeights()
      // The same from the checkpoint: fresh weights set to the saved ones, a fresh optimizer, its state loaded.
      const resumed = network(buildDiscriminator(model, 8), studioAdam())
      resumed.variables.forEach((v, i) => v.assign(tf.tensor(saved[i]!, v.shape)))
      await loadOptimizerStates(dir, [resumed])
      expect(resumed.optimizer.iterations).toBe(2)
      step(resumed, 3)
      step(resumed, 4)
      // The same programs on the same inputs: the same bits.
      expect(await read(resumed.variables)).toEqual(continued)
      const resumedState = await resumed.optimizer.getWeights()
      expect(resumedState.length).toBe(continuedState.length)
      for (let i = 0; i < resumedState.length; i++) {
        expect(await resumedState[i]!.tensor.data(), continuedState[i]!.name).toEqual(await continuedState[i]!.tensor.data())
      }
      tf.dispose([continuedState[0]!.tensor, resumedState[0]!.tensor])
      for (const net of [original, resumed]) {
        net.optimizer.dispose()
        net.model.dispose()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('dispatches fewer GPU programs in a training step than tfjs’s Adam', async () => {
    await selectBackend('webgpu')
    const model = tinyModel({ channels: 3 })
    const batchSize = 2
    const real = tf.tidy(() => tf.tensor4d(randomValues([batchSize, 32, 32, 3], 9).values, [batchSize, 32, 32, 3]))
    const z = randomValues([batchSize, model.zDim], 10).values
    const dispatchesOfStep = async (optimizer: () => tf.Optimizer): Promise<{ dispatches: number; variables: number }> => {
      const generator = buildGenerator(model, 1)
      const discriminator = buildDiscriminator(model, 2)
      const pair: GanPair = {
        generator,
        discriminatorLogits: logitsOf(discriminator),
        generatorOptimizer: optimizer(),
        discriminatorOptimizer: optimizer(),
        generatorVariables: trainableVariables(generator),
        discriminatorVariables: trainableVariables(discriminator)
      }
      // The first step makes Adam's moments; the second is a step like every later one.
      await trainGanStep(pair, real, z)
      const { dispatches } = await countGpuDispatches(() => trainGanStep(pair, real, z))
      generator.dispose()
      discriminator.dispose()
      pair.generatorOptimizer.dispose()
      pair.discriminatorOptimizer.dispose()
      return { dispatches: dispatches ?? NaN, variables: pair.generatorVariables.length + pair.discriminatorVariables.length }
    }
    const tfjs = await dispatchesOfStep(tfjsAdam)
    const ours = await dispatchesOfStep(studioAdam)
    real.dispose()
    if (process.env['REPORT_ERRORS']) console.log(`dispatches per step: tfjs's Adam ${tfjs.dispatches}, ours ${ours.dispatches} (${ours.variables} variables)`)
    // tfjs's Adam runs about 13 programs per variable, ours one: at least 10 fewer per variable.
    expect(ours.dispatches).toBeLessThanOrEqual(tfjs.dispatches - 10 * ours.variables)
    expect(ours.dispatches).toBeGreaterThan(0)
  })
})
