import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadModel } from '../../src/engine/model'
import { fillNoise, Rng } from '../../src/shared/latent/random'
import { RUN_FILES, RunRecord } from '../../src/shared/formats/run'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { maxAbsDiff, nchwToNhwc } from '../support/dcgan-main-py'
import { tempDir } from '../support/fixtures'
import { newmuSvhnDir, numpyForward } from '../support/newmu-svhn'

// The paper authors' own SVHN DCGAN (Newmu/dcgan_code's Theano parameters) imports as a run whose G and D
// compute what the authors' code computes: checked against a numpy forward pass written from their Theano
// code, on the real released files, with the batch's own statistics on both sides (as their code ran).

const TOLERANCE = 1e-4
const BATCH = 16

beforeAll(() => ensureBuilt())

/**
 * What SVHN crops look like, measured on each image's gray levels: smooth photographs (neighbouring pixels
 * close, unlike noise), each with contrast of its own (not a flat or collapsed output), different from one
 * another, with their strokes — a digit — in the middle rather than at the edges.
 */
function expectHouseNumbers(pixels: Float32Array, count: number): void {
  const gray = (n: number, y: number, x: number): number => {
    const at = ((n * 32 + y) * 32 + x) * 3
    return ((pixels[at] as number) + (pixels[at + 1] as number) + (pixels[at + 2] as number)) / 3
  }
  const means: number[] = []
  let [centre, border] = [0, 0]
  for (let n = 0; n < count; n++) {
    const values = Array.from({ length: 1024 }, (_, i) => gray(n, Math.floor(i / 32), i % 32))
    const mean = values.reduce((a, b) => a + b, 0) / 1024
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 1024)
    means.push(mean)
    expect(std, `image ${n}'s contrast`).toBeGreaterThan(0.03)
    expect(std, `image ${n}'s contrast`).toBeLessThan(0.5)
    let [c, b, all] = [0, 0, 0]
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 31; x++) {
        const step = Math.abs(gray(n, y, x + 1) - gray(n, y, x))
        all += step / (32 * 31)
        if (y >= 8 && y < 24 && x >= 8 && x < 23) c += step / (16 * 15)
        if (x < 4 || x >= 27) b += step / (32 * 8)
      }
    }
    // Uniform noise in [-1, 1] steps by 2/3 on average; a photograph by a few hundredths.
    expect(all, `image ${n}'s smoothness`).toBeLessThan(0.15)
    centre += c / count
    border += b / count
  }
  const spread = Math.sqrt(means.reduce((a, m) => a + (m - means.reduce((x, y) => x + y, 0) / count) ** 2, 0) / count)
  expect(spread, 'how much the images differ in brightness').toBeGreaterThan(0.05)
  expect(centre, 'strokes in the middle against the edges').toBeGreaterThan(1.2 * border)
}

describe("import-model --format theano: the paper authors' SVHN DCGAN", () => {
  it("imports the released files and renders and judges as the authors' Theano code does (max |Δ| ≤ 1e-4)", async () => {
    const library = tempDir('newmu-library')
    // 512 z estimate the statistics here (the default 2048 takes four times as long).
    const result = await runCli(['import-model', newmuSvhnDir(), '--statistics-samples', '512', '--library', library])
    expect(result.code, result.stderr + JSON.stringify(result.lines)).toBe(0)
    const runId = String(result.lines.at(-1)?.runId)
    const record = RunRecord.parse(JSON.parse(fs.readFileSync(path.join(library, 'runs', runId, RUN_FILES.record), 'utf8')))
    expect(record.model).toMatchObject({
      imageSize: 32,
      channels: 3,
      zDim: 100,
      genWidth: 64,
      discWidth: 64,
      kernelSize: 5,
      padding: 'symmetric',
      projectionNorm: 'unit',
      batchNormEpsilon: 1e-8,
      noise: { kind: 'normal', mean: 0, std: 1 }
    })
    expect(record.imported?.format).toBe('theano')
    expect(record.imported?.networks).toEqual(['G', 'D'])
    expect(record.imported?.files.map((f) => f.name)).toEqual(['200_gen_params.jl', '200_discrim_params.jl'])
    expect(record.imported?.notes.join(' ')).toMatch(/G's were estimated from one batch of 512 z/)

    const z = Array.from({ length: BATCH }, (_, i) => Array.from(fillNoise(new Float32Array(100), record.model.noise, new Rng(1000 + i))))
    const work = tempDir('newmu-numpy')
    const expected = await numpyForward(z, work)

    const checkpoint = path.join(library, 'runs', runId, RUN_FILES.checkpoints, '00000000')
    const generator = await loadModel(path.join(checkpoint, RUN_FILES.generator))
    const discriminator = await loadModel(path.join(checkpoint, RUN_FILES.discriminator))
    try {
      const pixels = 32 * 32 * 3
      const theirs = new Float32Array(BATCH * pixels)
      expected.images.forEach((image, i) => theirs.set(nchwToNhwc(image, 3, 32), i * pixels))
      const zTensor = tf.tensor2d(z.flat(), [BATCH, 100])
      // One image at a time, as the explorer renders: the estimated population statistics stand in for the
      // batch's. (Before the training-mode call below, which moves tfjs's moving statistics.)
      const predicted = generator.predict(zTensor) as tf.Tensor
      // training: true is batch normalisation by the batch's own statistics, as the authors' code does.
      const images = generator.apply(zTensor, { training: true }) as tf.Tensor
      const ours = await images.data()
      expect(Math.max(...ours.map(Math.abs))).toBeGreaterThan(0.5)
      expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(TOLERANCE)
      const verdict = discriminator.apply(tf.tensor4d(theirs, [BATCH, 32, 32, 3]), { training: true }) as tf.Tensor
      expect(maxAbsDiff(await verdict.data(), expected.d)).toBeLessThanOrEqual(TOLERANCE)
      const meanDiff = tf.tidy(() => predicted.sub(images).abs().mean().dataSync()[0] as number)
      expect(meanDiff).toBeLessThan(0.1)
      expectHouseNumbers((await predicted.data()) as Float32Array, BATCH)
      tf.dispose([zTensor, images, verdict])

      // Its tfjs export holds the same networks (padding and cropping are standard tfjs layers) and imports back
      // with the same settings; main.py's networks cannot hold it, and the PyTorch export says so.
      const exported = tempDir('newmu-export')
      const exportResult = await runCli(['export-model', runId, '--format', 'tfjs', '--out', exported, '--library', library])
      expect(exportResult.code, exportResult.stderr + JSON.stringify(exportResult.lines)).toBe(0)
      const reloaded = await loadModel(path.join(exported, RUN_FILES.generator))
      const again = reloaded.predict(tf.tensor2d(z.flat(), [BATCH, 100])) as tf.Tensor
      expect(maxAbsDiff(await again.data(), await predicted.data())).toBe(0)
      tf.dispose([again, predicted])
      reloaded.dispose()
      const back = await runCli(['import-model', exported, '--library', library])
      expect(back.code, back.stderr + JSON.stringify(back.lines)).toBe(0)
      expect(back.lines.at(-1)).toMatchObject({
        model: { padding: 'symmetric', projectionNorm: 'unit', batchNormEpsilon: 1e-8, kernelSize: 5 },
        imported: { format: 'tfjs' }
      })
      const pytorch = await runCli(['export-model', runId, '--format', 'pytorch', '--out', tempDir('newmu-pytorch'), '--library', library])
      expect(pytorch.code).not.toBe(0)
      expect(JSON.stringify(pytorch.lines.at(-1))).toMatch(/5×5 kernels.*Export it as tfjs instead/)
    } finally {
      generator.dispose()
      discriminator.dispose()
    }
  })
})
