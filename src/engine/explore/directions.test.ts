import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RunRecord } from '../../shared/formats/run'
import type { ModelSource } from '../../shared/api/explore'
import { noiseForSeed } from '../../shared/latent/random'
import { applyDirection } from '../../shared/latent/arithmetic'
import { selectBackend } from '../backend/select'
import { FaceAttributes } from '../face-attributes'
import type { RequestContext } from '../server'
import { findDirections } from './directions'
import { forwardOutput } from './forward'
import { ModelCache } from './models'
import { pca } from './pca'
import { RGB, expectNoTensorGrowth, untrained, zBatch } from './test-support'

let models: ModelCache
const source = untrained(RGB)
const settings = { layer: 'g_relu0', samples: 600, top: 6, seed: 3 }

beforeAll(async () => {
  await selectBackend('wasm')
  models = new ModelCache()
})

afterAll(() => models.dispose())

describe('directions without labels', () => {
  it('finds the same components as PCA of the activations held in memory, strongest first, each carried back to z', async () => {
    const found = await findDirections(models, { generator: source, ...settings })
    expect(found.layer).toBe('g_relu0')
    expect(found.layerShape).toEqual([4, 4, RGB.genWidth * 4])
    expect(found.components).toHaveLength(6)
    const explained = found.components.map((c) => c.explained)
    expect([...explained].sort((a, b) => b - a)).toEqual(explained)
    expect(explained.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1)

    // The same activations gathered here, and analysed by the in-memory PCA the latent map uses.
    const z = zBatch(RGB, settings.seed, settings.samples)
    const cols = 4 * 4 * RGB.genWidth * 4
    const generator = await models.use(source, (pair) => pair.network('G'))
    const activations = tf.tidy(() =>
      forwardOutput(generator, tf.tensor2d(z, [settings.samples, RGB.zDim]), { upTo: 'g_relu0' }).reshape([settings.samples, cols])
    )
    const data = (await activations.data()) as Float32Array
    activations.dispose()
    const reference = await pca(data, settings.samples, cols, 6)
    // (An untrained G normalises by each chunk's own statistics, so the two differ a little.)
    found.components.forEach((c, i) => expect(Math.abs(c.variance / reference.variances[i]! - 1)).toBeLessThan(0.01))

    // A 1σ step along component c moves its coordinate by about σ (the regression's slope), and others little.
    const [first] = found.components
    const base = noiseForSeed(99, 0, RGB.zDim, RGB.noise)
    const moved = applyDirection(base, first!.vector, 1)
    const coordinate = (vector: Float32Array): Promise<number> =>
      tf
        .tidy(() => forwardOutput(generator, tf.tensor2d(vector, [1, RGB.zDim]), { upTo: 'g_relu0' }).reshape([1, cols]))
        .matMul(tf.tensor2d(reference.components.subarray(0, cols), [cols, 1]))
        .data()
        .then((d) => d[0]!)
    const delta = (await coordinate(moved)) - (await coordinate(base))
    expect(Math.abs(delta)).toBeGreaterThan(0.3 * Math.sqrt(first!.variance))
  })

  it('is reproducible for a seed, the same whether the activations are kept or drawn again each pass, and changes with the seed', async () => {
    const once = await findDirections(models, { generator: source, ...settings })
    const again = await findDirections(models, { generator: source, ...settings })
    expect(again.components.map((c) => Array.from(c.vector))).toEqual(once.components.map((c) => Array.from(c.vector)))
    const redrawn = await findDirections(models, { generator: source, ...settings }, { cacheBytes: 0 })
    redrawn.components.forEach((c, i) => {
      expect(c.explained).toBeCloseTo(once.components[i]!.explained, 4)
      const cosine =
        dot(c.vector, once.components[i]!.vector) / Math.sqrt(dot(c.vector, c.vector) * dot(once.components[i]!.vector, once.components[i]!.vector))
      expect(cosine).toBeGreaterThan(0.999)
    })
    const other = await findDirections(models, { generator: source, ...settings, seed: 4 })
    expect(Array.from(other.components[0]!.vector)).not.toEqual(Array.from(once.components[0]!.vector))
  })

  it('reports progress, refuses a layer it cannot analyse by name, stops when cancelled and leaves no tensor behind', async () => {
    const small = { ...settings, samples: 200, top: 4 }
    const progress: number[] = []
    await findDirections(models, { generator: source, ...small }, { progress: (f) => progress.push(f) })
    expect(progress.length).toBeGreaterThan(3)
    expect(progress.at(-1)).toBe(1)
    // It never goes back, and the PCA's convergence moves it along: no leap from the iteration count to the end.
    expect(progress.every((p, i) => i === 0 || p >= (progress[i - 1] as number))).toBe(true)
    expect(Math.max(...progress.slice(1).map((p, i) => p - (progress[i] as number)))).toBeLessThan(0.3)
    await expect(findDirections(models, { generator: source, ...small, layer: 'g_out' })).rejects.toThrow(/g_project, g_relu0, g_relu1, g_relu2/)
    const cancelled = new AbortController()
    cancelled.abort()
    await expect(findDirections(models, { generator: source, ...small }, { signal: cancelled.signal })).rejects.toThrow(/cancel/i)
    await expectNoTensorGrowth(() => findDirections(models, { generator: source, ...small }, { cacheBytes: 0 }))
    await expectNoTensorGrowth(() => findDirections(models, { generator: source, ...small }))
  })

  // The demo's faces vary in planted factors (pose, smile, glasses, masculine): the first components found
  // without any label move them, as the face classifier trained on the labelled faces measures.
  it('on the demo model, the top components include ones that turn the head and change the face', async () => {
    const runDir = path.resolve('resources/demo/runs/procedural-faces-demo-dbd50b')
    const run = RunRecord.parse(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')))
    const demo: ModelSource = { kind: 'checkpoint', model: run.model, dir: path.join(runDir, 'checkpoints', '00005500') }
    const found = await findDirections(models, { generator: demo, layer: 'g_relu0', samples: 2000, top: 8, seed: 0 })
    const faces = new FaceAttributes(models)
    const ctx = { signal: new AbortController().signal, progress: () => undefined, emit: () => undefined } as RequestContext
    const seeds = 24
    const shifts = []
    for (const component of found.components) {
      const vectors = Array.from({ length: seeds }, (_, s) => noiseForSeed(500 + s, 0, run.model.zDim, run.model.noise)).flatMap((base) => [
        applyDirection(base, component.vector, -2),
        applyDirection(base, component.vector, 2)
      ])
      const flat = new Float32Array(vectors.length * run.model.zDim)
      vectors.forEach((v, i) => flat.set(v, i * run.model.zDim))
      const { probabilities } = await faces.classifySamples(
        { generator: demo, classifierDir: path.resolve('resources/demo/classifier'), z: flat, count: vectors.length },
        ctx
      )
      const mean = (f: (i: number) => number): number => Array.from({ length: seeds }, (_, s) => f(s)).reduce((a, b) => a + b, 0) / seeds
      shifts.push({
        pose: mean((s) => probabilities[2 * s + 1]!.pose.right - probabilities[2 * s]!.pose.right),
        masculine: mean((s) => probabilities[2 * s + 1]!.masculine - probabilities[2 * s]!.masculine)
      })
    }
    faces.dispose()
    // Measured: one component turns the head from left to right (Δp(right) ≈ 0.85), another changes the face
    // from feminine to masculine (|Δp| ≈ 0.8), both within the top 8.
    expect(Math.max(...shifts.map((s) => Math.abs(s.pose)))).toBeGreaterThan(0.5)
    expect(Math.max(...shifts.map((s) => Math.abs(s.masculine)))).toBeGreaterThan(0.5)
  })
})

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!
  return sum
}
