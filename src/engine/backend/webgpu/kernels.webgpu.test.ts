import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSwiftShader } from '../../../../tests/support/swiftshader'
import { type ModelConfig, paperModelConfig } from '../../../shared/formats/model'
import { TrainConfig } from '../../../shared/formats/run'
import { noiseForSeed } from '../../../shared/latent/random'
import { discImages, writeDataset } from '../../data/test-datasets'
import { Trainer } from '../../train/trainer'
import { releaseBackend, selectBackend } from '../select'
import { callsToReplay, inputScale, type KernelCall, outputError, RANDOM_KERNELS, recordKernelCalls, REDUCTIONS, replayKernelCall } from './test-support'

/**
 * Every kernel a DCGAN runs, on the real layer shapes, on webgpu against cpu. The kernels are not listed by
 * hand: the studio's own trainer runs for two steps (the first with BatchNorm momentum 0), writes a checkpoint
 * (with its finiteness check) and a sample grid, and draws one image as the explorer does, while every kernel
 * call is recorded with its inputs; each distinct call is then run on cpu and on webgpu with the same inputs
 * (of the elementwise kernels, the largest call of each kind: see callsToReplay).
 * So the comparison covers exactly what training and sampling run, per layer: conv, transposed conv and both
 * their gradients, dense and its gradients, BatchNorm in both modes, the activations, the loss and Adam's update.
 * (The trainer runs on wasm while recording: cpu's filter gradient alone would take ten minutes here.)
 *
 * Three models cover the sizes 32, 64 and 128 px, widths 16, 32 and 64, kernels 4 and 5, batches 1 and 2 and
 * both channel counts; since a DCGAN halves its channels as it doubles the size, their layers together have
 * every channel count from 16 to 256 in both networks. SwiftShader runs 0.01–0.03 GFLOP/s on a busy 2-core
 * machine, so the wide networks are the small ones: each model's distinct calls stay near a GFLOP.
 */

const MODELS: Array<{ label: string; model: ModelConfig; batch: number }> = [
  {
    label: '32 px RGB, G 32 and D 64 wide, kernel 4, batch 2',
    model: paperModelConfig({ imageSize: 32, channels: 3, genWidth: 32, discWidth: 64, kernelSize: 4 }),
    batch: 2
  },
  {
    label: '64 px grey, G and D 16 wide, kernel 5, batch 1',
    model: paperModelConfig({ imageSize: 64, channels: 1, genWidth: 16, discWidth: 16, kernelSize: 5 }),
    batch: 1
  },
  {
    label: '128 px RGB, G and D 16 wide, kernel 4, batch 1',
    model: paperModelConfig({ imageSize: 128, channels: 3, genWidth: 16, discWidth: 16, kernelSize: 4 }),
    batch: 1
  }
]

// float32 results as a fraction of each output's largest magnitude (see outputError). Both backends get identical inputs, so the
// only difference is the order of float32 operations: sums of up to 8192 products (the dense layers, 5×5×128
// convolution taps) reorder with relative errors of order √n · 2⁻²⁴ ≈ 1e-5; 1e-4 leaves room for webgpu's fused
// multiply-adds and its own exp/log/rsqrt, and is far below what a wrong index, a missed tap or a dropped batch
// element gives (≥ 1e-2; the split-K bug mat-mul.ts works around gave 1.4).
const TOLERANCE = 1e-4

let root: string

beforeAll(async () => {
  requireSwiftShader()
  root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-webgpu-kernels-'))
})

afterAll(async () => {
  releaseBackend()
  await rm(root, { recursive: true, force: true })
})

/** The trainer's steps, checkpoint and sample grid, and one explorer-style image, at one model size. */
async function trainAndSample(model: ModelConfig, batch: number, dir: string): Promise<void> {
  const datasetDir = path.join(dir, 'dataset')
  await writeDataset(datasetDir, { size: model.imageSize, channels: model.channels, images: discImages(2 * batch, model.imageSize, model.channels, 5) })
  // A grid as large as a batch: its forward pass has the shapes training has, so it adds only inference-mode calls.
  const train = TrainConfig.parse({ batchSize: batch, sampleCount: batch, sampleEvery: 1000, checkpointEvery: 1000, seed: 3 })
  const trainer = await Trainer.open({ runDir: path.join(dir, 'run'), datasetDir, model, train })
  try {
    await trainer.trainStep()
    await trainer.trainStep()
    await trainer.writeCheckpoint()
    await trainer.writeSampleGrid()
    const image = tf.tidy(
      () => trainer.generator.apply(tf.tensor2d(noiseForSeed(9, 0, model.zDim, model.noise), [1, model.zDim]), { training: false }) as tf.Tensor
    )
    await image.data()
    image.dispose()
  } finally {
    trainer.dispose()
  }
}

describe('every kernel of training and sampling on webgpu matches cpu', () => {
  it.each(MODELS)(
    '$label',
    async ({ model, batch }) => {
      const started = Date.now()
      const phases: string[] = []
      await selectBackend('wasm')
      const dir = await mkdtemp(path.join(root, 'model-'))
      const recorded = await recordKernelCalls(() => trainAndSample(model, batch, dir))
      const calls = callsToReplay(recorded)
      const kernels = new Set(calls.map((c) => c.kernelName))
      // The recording saw the layers the plan has (a check of the recorder, not a list to keep up to date).
      for (const name of [
        'Conv2D',
        'Conv2DBackpropInput',
        'Conv2DBackpropFilter',
        'BatchMatMul',
        '_FusedMatMul',
        'FusedBatchNorm',
        'Relu',
        'LeakyRelu',
        'Tanh',
        'AddN'
      ]) {
        expect(kernels, name).toContain(name)
      }
      expect(recorded.filter((c) => RANDOM_KERNELS.has(c.kernelName)).map((c) => c.kernelName)).toEqual([])

      phases.push(`recorded on wasm ${Date.now() - started} ms`)
      await selectBackend('cpu')
      const expected = []
      for (const call of calls) expected.push(await replayKernelCall(call))
      phases.push(`cpu ${Date.now() - started} ms`)
      await selectBackend('webgpu')
      const failures: string[] = []
      let worst = 0
      const times = new Map<string, number>()
      for (const [i, call] of calls.entries()) {
        let outputs: Awaited<ReturnType<typeof replayKernelCall>>
        try {
          const t0 = Date.now()
          outputs = await replayKernelCall(call)
          times.set(call.kernelName, (times.get(call.kernelName) ?? 0) + Date.now() - t0)
        } catch (err) {
          failures.push(`${describeCall(call)}: threw ${err instanceof Error ? err.message : String(err)}`)
          continue
        }
        const floor = REDUCTIONS.has(call.kernelName) ? inputScale(call) : 0
        expected[i]!.forEach((reference, j) => {
          const output = outputs[j]
          const error = output && output.dtype === reference.dtype ? outputError(output.values, reference.values, reference.dtype, floor) : Infinity
          if (reference.dtype === 'float32') worst = Math.max(worst, error)
          if (error > (reference.dtype === 'float32' ? TOLERANCE : 0)) failures.push(`${describeCall(call)} output ${j}: error ${error.toExponential(2)}`)
        })
      }
      phases.push(`webgpu ${Date.now() - started} ms`)
      if (process.env['REPORT_ERRORS'])
        console.log(
          [...times]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 12)
            .map(([k, ms]) => `${k} ${ms} ms`)
            .join(', ')
        )
      if (process.env['REPORT_ERRORS'])
        console.log(
          `${calls.length} of ${recorded.length} distinct calls of ${kernels.size} kernels; worst float32 error ${worst.toExponential(2)}; ${phases.join(', ')}`
        )
      expect(failures).toEqual([])
    },
    // SwiftShader on two busy cores: minutes, not seconds (see above).
    900_000
  )
})

function describeCall(call: KernelCall): string {
  const shapes = call.inputs.map((input) => `${input.name}[${input.shape.join(',')}]`).join(' ')
  return `${call.kernelName}(${shapes}) ${JSON.stringify(call.attrs)}`
}
