import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadModel } from '../../src/engine/model'
import { readModel } from '../../src/node/model-formats/read-model'
import { RUN_FILES } from '../../src/shared/formats/run'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { checkMainPyNets, type MainPyShape, maxAbsDiff, nchwToNhwc, saveMainPyNets } from '../support/dcgan-main-py'
import { tempDir } from '../support/fixtures'
import { trainTinyRun } from '../support/tiny-run'

// Exports load back where they are for: PyTorch state dicts into main.py's networks (strict, weights_only),
// tfjs into TensorFlow.js; each gives the outputs the studio's checkpoint gives for the same z.

const TOLERANCE = 1e-4

beforeAll(() => ensureBuilt())

async function exportModel(library: string, runId: string, format: string, extra: string[] = []): Promise<{ dir: string; step: number; files: string[] }> {
  const out = tempDir(`export-${format}`)
  const result = await runCli(['export-model', runId, '--format', format, '--out', out, '--library', library, ...extra])
  expect(result.code, result.stderr + JSON.stringify(result.lines)).toBe(0)
  const last = result.lines.at(-1) as { step: number; files: string[] }
  return { dir: out, step: last.step, files: last.files }
}

/** G(z) of a tfjs model folder, NHWC flattened. */
async function renderWith(dir: string, z: number[][]): Promise<Float32Array> {
  const model = await loadModel(dir)
  try {
    return tf.tidy(() => model.predict(tf.tensor2d(z.flat(), [z.length, (z[0] as number[]).length])) as tf.Tensor).dataSync() as Float32Array
  } finally {
    model.dispose()
  }
}

function toNhwc(images: number[][], shape: MainPyShape): Float32Array {
  const pixels = shape.size * shape.size * shape.nc
  const out = new Float32Array(images.length * pixels)
  images.forEach((image, i) => out.set(nchwToNhwc(image, shape.nc, shape.size), i * pixels))
  return out
}

describe('export-model', () => {
  it('round trip: a PyTorch model imported, exported as pytorch, loads into main.py (strict) and renders what it rendered', async () => {
    const shape: MainPyShape = { size: 32, nz: 10, ngf: 8, ndf: 6, nc: 3 }
    const source = tempDir('export-source')
    const original = await saveMainPyNets(source, shape, { steps: 3, samples: 4, initStd: 0.1 })
    const library = tempDir('export-library')
    const imported = await runCli(['import-model', source, '--library', library])
    expect(imported.code, imported.stderr).toBe(0)
    const runId = String(imported.lines.at(-1)?.runId)

    const pytorch = await exportModel(library, runId, 'pytorch')
    expect(pytorch.files.map((f) => path.basename(f)).sort()).toEqual(['netD.pth', 'netG.pth'])
    const back = await checkMainPyNets(pytorch.dir, shape, original.z)
    expect(maxAbsDiff(toNhwc(back.images, shape), toNhwc(original.images, shape))).toBeLessThanOrEqual(TOLERANCE)
    expect(maxAbsDiff(back.dOnImages, original.dOnImages)).toBeLessThanOrEqual(TOLERANCE)

    // safetensors holds the same tensors.
    const safetensors = await exportModel(library, runId, 'safetensors')
    const fromPth = await readModel(pytorch.dir)
    const fromSafetensors = await readModel(safetensors.dir)
    expect(fromSafetensors.format).toBe('safetensors')
    for (const net of ['generator', 'discriminator'] as const) {
      for (const [name, tensor] of fromPth.weights[net] ?? [])
        expect(Array.from(fromSafetensors.weights[net]?.get(name)?.values ?? []), name).toEqual(Array.from(tensor.values))
    }

    // tfjs: loads in TensorFlow.js, renders the same images; the manifest tells ml5 the latent size and image size.
    const tfjs = await exportModel(library, runId, 'tfjs')
    const manifest = JSON.parse(fs.readFileSync(path.join(tfjs.dir, 'manifest.json'), 'utf8')) as Record<string, unknown>
    expect(manifest).toMatchObject({ model: 'generator/model.json', modelLatentDim: 10, modelSize: 32, noise: { kind: 'normal', mean: 0, std: 1 } })
    const rendered = await renderWith(path.join(tfjs.dir, 'generator'), original.z)
    expect(maxAbsDiff(rendered, toNhwc(original.images, shape))).toBeLessThanOrEqual(TOLERANCE)
    // … and imports again as a model of the same shape.
    const again = await runCli(['import-model', tfjs.dir, '--library', library])
    expect(again.code, again.stderr).toBe(0)
    expect(again.lines.at(-1)).toMatchObject({
      model: { imageSize: 32, zDim: 10, genWidth: 8, discWidth: 6 },
      imported: { format: 'tfjs', networks: ['G', 'D'] }
    })
  })

  it('a model trained in the studio exports as state dicts main.py loads, rendering what the studio renders', async () => {
    const { library, runId } = await trainTinyRun({ steps: 6 })
    const checkpoint = path.join(library, 'runs', runId, RUN_FILES.checkpoints, '00000006')
    const z = Array.from({ length: 3 }, (_, i) => Array.from({ length: 100 }, (_, j) => Math.sin(i * 100 + j)))
    const studio = await renderWith(path.join(checkpoint, RUN_FILES.generator), z)
    const exported = await exportModel(library, runId, 'pytorch', ['--checkpoint', '6'])
    expect(exported.step).toBe(6)
    const shape: MainPyShape = { size: 32, nz: 100, ngf: 8, ndf: 8, nc: 3 }
    const back = await checkMainPyNets(exported.dir, shape, z)
    expect(maxAbsDiff(toNhwc(back.images, shape), studio)).toBeLessThanOrEqual(TOLERANCE)
  })

  it('says what is wrong when a run cannot be exported, and writes nothing', async () => {
    const library = tempDir('export-missing')
    const missing = await runCli(['export-model', 'no-such-run', '--format', 'pytorch', '--out', tempDir('nothing'), '--library', library])
    expect(missing.code).toBe(1)
    expect((missing.lines.at(-1)?.error as { message: string }).message).toMatch(/no-such-run/)
    const usage = await runCli(['export-model', 'x', '--format', 'onnx', '--out', tempDir('nothing'), '--library', library])
    expect(usage.code).toBe(2)
  })
})
