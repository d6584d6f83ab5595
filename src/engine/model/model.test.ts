import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { paperModelConfig } from '../../shared/formats/model'
import type { ModelConfig } from '../../shared/formats/model'
import {
  buildDiscriminator,
  buildGenerator,
  countTrainableParams,
  describeLayers,
  loadModel,
  MODEL_JSON,
  ModelFileError,
  saveModel,
  WEIGHTS_BIN
} from './index'
import type { LayerSpec } from './index'

const SIZES = [32, 64, 128] as const
const KERNELS = [4, 5] as const
const CHANNELS = [1, 3] as const
const GRID = SIZES.flatMap((imageSize) => KERNELS.flatMap((kernelSize) => CHANNELS.map((channels) => ({ imageSize, kernelSize, channels }))))

/** A narrow model of the given shape: every layer is there, but it builds and runs in milliseconds. */
function smallConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return paperModelConfig({ genWidth: 8, discWidth: 8, ...overrides })
}

/**
 * Trainable parameters of PyTorch's DCGAN example (nn.Module.parameters(): conv weights and BatchNorm
 * weight/bias; running mean/var are buffers, not parameters), written out independently of layers.ts.
 */
function pytorchParamCounts(config: ModelConfig): { generator: number; discriminator: number } {
  const n = Math.log2(config.imageSize / 4)
  const k2 = config.kernelSize ** 2
  const g = (i: number): number => config.genWidth * 2 ** (n - 1 - i)
  const d = (i: number): number => config.discWidth * 2 ** i
  // ConvTranspose2d(nz, g0, 4, 1, 0): a 4×4 kernel whatever the configured kernel size.
  let generator = config.zDim * g(0) * 16 + 2 * g(0)
  for (let i = 1; i < n; i++) generator += g(i - 1) * g(i) * k2 + 2 * g(i)
  generator += g(n - 1) * config.channels * k2
  let discriminator = config.channels * d(0) * k2
  for (let i = 1; i < n; i++) discriminator += d(i - 1) * d(i) * k2 + 2 * d(i)
  discriminator += d(n - 1) * 16 // Conv2d(d_last, 1, 4, 1, 0)
  return { generator, discriminator }
}

function uniformNoise(batch: number, config: ModelConfig): tf.Tensor2D {
  return tf.randomUniform([batch, config.zDim], -1, 1, 'float32', 1234)
}

/** Each layer's output shape without the batch dimension, as the built model reports it. */
function builtShapes(model: tf.LayersModel): { name: string; outputShape: number[] }[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    outputShape: (layer.outputShape as (number | null)[]).slice(1) as number[]
  }))
}

function plannedShapes(plan: readonly LayerSpec[]): { name: string; outputShape: number[] }[] {
  return plan.map((spec) => ({ name: spec.name, outputShape: [...spec.outputShape] }))
}

function weightValues(model: tf.LayersModel): number[][] {
  return model.getWeights().map((weight) => Array.from(weight.dataSync()))
}

function stats(tensor: tf.Tensor): { mean: number; std: number } {
  const values = Array.from(tensor.dataSync() as Float32Array)
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length
  return { mean, std: Math.sqrt(variance) }
}

function kernelOf(model: tf.LayersModel, layerName: string): tf.Tensor {
  const [kernel] = model.getLayer(layerName).getWeights()
  if (!kernel) throw new Error(`layer ${layerName} has no weights`)
  return kernel
}

beforeAll(async () => {
  await tf.setBackend('cpu')
  await tf.ready()
})

describe.each(GRID)('at $imageSize×$imageSize, kernel $kernelSize, $channels channel(s)', (shape) => {
  const config = smallConfig(shape)

  it('the generator maps z to [b, S, S, C] images in [-1, 1]', () => {
    const generator = buildGenerator(config, 1)
    const images = tf.tidy(() => generator.predict(uniformNoise(3, config)) as tf.Tensor)
    expect(images.shape).toEqual([3, config.imageSize, config.imageSize, config.channels])
    const [low, high] = tf.tidy(() => [images.min().dataSync()[0], images.max().dataSync()[0]])
    expect(low).toBeGreaterThanOrEqual(-1)
    expect(high).toBeLessThanOrEqual(1)
    tf.dispose(images)
    generator.dispose()
  })

  it('the discriminator maps images to [b, 1] probabilities in (0, 1)', () => {
    const discriminator = buildDiscriminator(config, 1)
    const input = tf.randomUniform([3, config.imageSize, config.imageSize, config.channels], -1, 1)
    const probability = discriminator.predict(input) as tf.Tensor
    expect(probability.shape).toEqual([3, 1])
    for (const p of probability.dataSync()) {
      expect(p).toBeGreaterThan(0)
      expect(p).toBeLessThan(1)
    }
    tf.dispose([input, probability])
    discriminator.dispose()
  })

  it('describeLayers names and shapes match the built models layer by layer', () => {
    const plan = describeLayers(config)
    const generator = buildGenerator(config)
    const discriminator = buildDiscriminator(config)
    expect(builtShapes(generator)).toEqual(plannedShapes(plan.generator))
    expect(builtShapes(discriminator)).toEqual(plannedShapes(plan.discriminator))
    generator.dispose()
    discriminator.dispose()
  })

  it('counts the same trainable parameters as PyTorch’s DCGAN example', () => {
    const generator = buildGenerator(config)
    const discriminator = buildDiscriminator(config)
    const expected = pytorchParamCounts(config)
    expect(countTrainableParams(generator)).toBe(expected.generator)
    expect(countTrainableParams(discriminator)).toBe(expected.discriminator)
    generator.dispose()
    discriminator.dispose()
  })
})

describe('the paper’s 64×64 model at full width', () => {
  const config = paperModelConfig({ imageSize: 64, genWidth: 64, discWidth: 64, kernelSize: 4, channels: 3 })
  let generator: tf.LayersModel
  let discriminator: tf.LayersModel

  beforeAll(() => {
    generator = buildGenerator(config, 42)
    discriminator = buildDiscriminator(config, 42)
  })
  afterAll(() => {
    generator.dispose()
    discriminator.dispose()
  })

  it('has exactly 3,576,704 (G) and 2,765,568 (D) trainable parameters', () => {
    // Counted as trainable variables: conv/dense kernels plus BatchNorm gamma and beta; BatchNorm's moving
    // mean and variance are excluded (non-trainable in tfjs, buffers in PyTorch). These are the PyTorch
    // DCGAN example's numbers for nz=100, ngf=ndf=64, nc=3.
    expect(countTrainableParams(generator)).toBe(3_576_704)
    expect(countTrainableParams(discriminator)).toBe(2_765_568)
  })

  it('has the paper’s Figure 1 shapes: 4×4×512 → 8×8×256 → 16×16×128 → 32×32×64 → 64×64×3', () => {
    const shapes = describeLayers(config)
      .generator.filter((spec) => spec.kind === 'reshape' || spec.kind === 'deconv')
      .map((spec) => spec.outputShape)
    expect(shapes).toEqual([
      [4, 4, 512],
      [8, 8, 256],
      [16, 16, 128],
      [32, 32, 64],
      [64, 64, 3]
    ])
  })

  it('initialises conv kernels from N(0, 0.02)', () => {
    for (const [model, layer] of [
      [generator, 'g_deconv1'],
      [discriminator, 'd_conv2']
    ] as const) {
      const { mean, std } = stats(kernelOf(model, layer))
      expect(Math.abs(mean)).toBeLessThan(0.001)
      expect(std).toBeGreaterThan(0.0195)
      expect(std).toBeLessThan(0.0205)
    }
  })

  it('initialises BatchNorm gamma from N(1, 0.02) and beta at 0', () => {
    const [gamma, beta] = generator.getLayer('g_bn0').getWeights()
    const { mean, std } = stats(gamma!)
    expect(Math.abs(mean - 1)).toBeLessThan(0.005)
    expect(std).toBeGreaterThan(0.015)
    expect(std).toBeLessThan(0.025)
    expect(Array.from(beta!.dataSync()).every((v) => v === 0)).toBe(true)
  })

  it('uses PyTorch’s BatchNorm settings, no biases, and no BatchNorm on G’s output or D’s input', () => {
    const bn = generator.getLayer('g_bn1').getConfig()
    expect(bn.momentum).toBe(0.9)
    expect(bn.epsilon).toBe(1e-5)
    for (const model of [generator, discriminator]) {
      for (const layer of model.layers) {
        if ('useBias' in layer.getConfig()) expect(layer.getConfig().useBias, layer.name).toBe(false)
      }
    }
    const names = (model: tf.LayersModel): string[] => model.layers.map((layer) => layer.name)
    expect(names(generator).slice(-3)).toEqual(['g_relu3', 'g_out', 'g_tanh'])
    expect(names(discriminator).slice(0, 3)).toEqual(['d_image', 'd_conv0', 'd_lrelu0'])
    expect(discriminator.getLayer('d_lrelu0').getConfig().alpha).toBeCloseTo(0.2)
  })
})

describe('seeded initialisation', () => {
  const config = smallConfig()

  it('gives identical weights for the same seed and different weights for another', () => {
    const [a, b, c] = [buildGenerator(config, 7), buildGenerator(config, 7), buildGenerator(config, 8)]
    expect(weightValues(a)).toEqual(weightValues(b))
    expect(weightValues(a)[0]).not.toEqual(weightValues(c)[0])
    const [d, e] = [buildDiscriminator(config, 7), buildDiscriminator(config, 7)]
    expect(weightValues(d)).toEqual(weightValues(e))
    // 0 is a seed like any other (tfjs on its own would treat a 0 seed as none and draw at random).
    const [f, g] = [buildDiscriminator(config, 0), buildDiscriminator(config, 0)]
    expect(weightValues(f)).toEqual(weightValues(g))
    for (const model of [a, b, c, d, e, f, g]) model.dispose()
  })

  it('gives each layer its own draw, and unseeded builds differ', () => {
    const model = buildDiscriminator(config, 7)
    const gammas = ['d_bn1', 'd_bn2'].map((name) => Array.from(kernelOf(model, name).dataSync()).slice(0, 8))
    expect(gammas[0]).not.toEqual(gammas[1])
    const [x, y] = [buildGenerator(config), buildGenerator(config)]
    expect(weightValues(x)[0]).not.toEqual(weightValues(y)[0])
    for (const built of [model, x, y]) built.dispose()
  })
})

describe('saving and loading', () => {
  const config = smallConfig()
  let root: string

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-model-'))
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  /** A saved 32×32 generator and discriminator pair in a fresh directory under the test root. */
  async function savedPair(name: string): Promise<{ dir: string; generator: tf.LayersModel; discriminator: tf.LayersModel }> {
    const generator = buildGenerator(config, 3)
    const discriminator = buildDiscriminator(config, 3)
    const dir = path.join(root, name)
    await saveModel(generator, path.join(dir, 'generator'))
    await saveModel(discriminator, path.join(dir, 'discriminator'))
    return { dir, generator, discriminator }
  }

  it('round-trips both networks: the loaded models give identical outputs', async () => {
    const { dir, generator, discriminator } = await savedPair('round-trip')
    const loadedG = await loadModel(path.join(dir, 'generator'))
    const loadedD = await loadModel(path.join(dir, 'discriminator'))
    const z = uniformNoise(4, config)
    const [before, after] = [generator, loadedG].map((g) => g.predict(z) as tf.Tensor)
    expect(Array.from(after!.dataSync())).toEqual(Array.from(before!.dataSync()))
    const [realBefore, realAfter] = [discriminator, loadedD].map((d) => d.predict(before!) as tf.Tensor)
    expect(Array.from(realAfter!.dataSync())).toEqual(Array.from(realBefore!.dataSync()))
    expect(loadedG.layers.map((layer) => layer.name)).toEqual(generator.layers.map((layer) => layer.name))
    tf.dispose([z, before!, after!, realBefore!, realAfter!])
    for (const model of [generator, discriminator, loadedG, loadedD]) model.dispose()
  })

  it('writes exactly model.json and weights.bin, replacing an earlier save and leaving no temporaries', async () => {
    const { dir, generator, discriminator } = await savedPair('overwrite')
    const target = path.join(dir, 'generator')
    const other = buildGenerator(config, 99)
    await saveModel(other, target)
    expect((await readdir(target)).sort()).toEqual([MODEL_JSON, WEIGHTS_BIN])
    const loaded = await loadModel(target)
    expect(weightValues(loaded)).toEqual(weightValues(other))
    for (const model of [generator, discriminator, other, loaded]) model.dispose()
  })

  it('is the standard tfjs format: tf.loadLayersModel reads it over tfjs’s own HTTP loader', async () => {
    const { dir, generator, discriminator } = await savedPair('portable')
    // The way a browser app would load the folder: tfjs fetches model.json, then the weights paths relative
    // to it. The fetch function only maps those URLs to our files; all parsing is tfjs's.
    const base = 'https://models.example/generator/'
    const fetchFunc = async (input: string | URL | Request): Promise<Response> => {
      const url = new URL(input instanceof Request ? input.url : input)
      const file = path.join(dir, 'generator', url.pathname.replace('/generator/', ''))
      return new Response(await readFile(file))
    }
    const portable = await tf.loadLayersModel(tf.io.http(`${base}${MODEL_JSON}`, { fetchFunc }))
    const z = uniformNoise(2, config)
    const [expected, actual] = [generator, portable].map((g) => g.predict(z) as tf.Tensor)
    expect(Array.from(actual!.dataSync())).toEqual(Array.from(expected!.dataSync()))
    expect((JSON.parse(await readFile(path.join(dir, 'generator', MODEL_JSON), 'utf8')) as { format: string }).format).toBe('layers-model')
    tf.dispose([z, expected!, actual!])
    for (const model of [generator, discriminator, portable]) model.dispose()
  })

  it('refuses a truncated weights file, naming it', async () => {
    const { dir, generator, discriminator } = await savedPair('truncated')
    const weights = path.join(dir, 'generator', WEIGHTS_BIN)
    await truncate(weights, 100)
    const failure = loadModel(path.join(dir, 'generator'))
    await expect(failure).rejects.toThrow(ModelFileError)
    await expect(failure).rejects.toThrow(weights)
    await expect(failure).rejects.toThrow(/truncated/)
    generator.dispose()
    discriminator.dispose()
  })

  it('refuses a corrupt or cut-short model.json, naming it', async () => {
    const { dir, generator, discriminator } = await savedPair('corrupt')
    const json = path.join(dir, 'generator', MODEL_JSON)
    const text = await readFile(json, 'utf8')
    await writeFile(json, text.slice(0, text.length / 2))
    await expect(loadModel(path.join(dir, 'generator'))).rejects.toThrow(json)
    // Valid JSON that is not a layers model is caught by the schema, not deep inside tfjs.
    await writeFile(json, JSON.stringify({ modelTopology: {}, weightsManifest: 'weights.bin' }))
    await expect(loadModel(path.join(dir, 'generator'))).rejects.toThrow(json)
    generator.dispose()
    discriminator.dispose()
  })

  it('says no model is there when model.json is missing', async () => {
    const missing = path.join(root, 'never-saved')
    await expect(loadModel(missing)).rejects.toThrow(`No model to load at ${path.join(missing, MODEL_JSON)}`)
  })

  it('refuses weights paths that leave the model directory', async () => {
    const { dir, generator, discriminator } = await savedPair('escape')
    const json = path.join(dir, 'generator', MODEL_JSON)
    const data = JSON.parse(await readFile(json, 'utf8')) as { weightsManifest: Array<{ paths: string[] }> }
    data.weightsManifest[0]!.paths = ['../discriminator/weights.bin']
    await writeFile(json, JSON.stringify(data))
    await expect(loadModel(path.join(dir, 'generator'))).rejects.toThrow(/outside its directory/)
    generator.dispose()
    discriminator.dispose()
  })
})

describe('memory', () => {
  it('repeated tidy-wrapped predictions do not grow the tensor count', () => {
    const config = smallConfig()
    const generator = buildGenerator(config, 5)
    const discriminator = buildDiscriminator(config, 5)
    const step = (): number =>
      tf.tidy(() => {
        const images = generator.predict(uniformNoise(2, config)) as tf.Tensor
        return (discriminator.predict(images) as tf.Tensor).dataSync()[0] ?? 0
      })
    step()
    const before = tf.memory().numTensors
    for (let i = 0; i < 5; i++) step()
    expect(tf.memory().numTensors).toBe(before)
    generator.dispose()
    discriminator.dispose()
  })
})
