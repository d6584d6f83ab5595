import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadModel } from '../../src/engine/model'
import { RUN_FILES, RunRecord } from '../../src/shared/formats/run'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { type MainPyOutputs, type MainPyShape, maxAbsDiff, nchwToNhwc, saveMainPyNets, saveOtherNetwork } from '../support/dcgan-main-py'
import { tempDir, writeDiscImages } from '../support/fixtures'
import sharp from 'sharp'

// A netG.pth/netD.pth pair saved by PyTorch (pytorch/examples' dcgan/main.py networks, trained a few steps so
// BatchNorm's running statistics are real) imports as a run whose G renders what PyTorch renders for the same
// z and whose D says what PyTorch's D says, both in eval() mode.

const TOLERANCE = 1e-4

beforeAll(() => ensureBuilt())

async function importModel(library: string, source: string, extra: string[] = []): Promise<{ runId: string; record: RunRecord }> {
  const result = await runCli(['import-model', source, '--library', library, ...extra])
  expect(result.code, result.stderr + JSON.stringify(result.lines)).toBe(0)
  const runId = String(result.lines.at(-1)?.runId)
  const record = RunRecord.parse(JSON.parse(fs.readFileSync(path.join(library, 'runs', runId, RUN_FILES.record), 'utf8')))
  return { runId, record }
}

/** G and D of the run's step-0 checkpoint, run as the explorer runs them (predict: moving statistics). */
async function compareWithPyTorch(library: string, runId: string, shape: MainPyShape, expected: MainPyOutputs): Promise<void> {
  const checkpoint = path.join(library, 'runs', runId, RUN_FILES.checkpoints, '00000000')
  const generator = await loadModel(path.join(checkpoint, RUN_FILES.generator))
  const discriminator = await loadModel(path.join(checkpoint, RUN_FILES.discriminator))
  const before = tf.memory().numTensors
  try {
    const pixels = shape.size * shape.size * shape.nc
    const z = tf.tensor2d(expected.z.flat(), [expected.z.length, shape.nz])
    const images = generator.predict(z) as tf.Tensor
    const ours = await images.data()
    // Images that use the range, so that a wrong layout shows as a large difference, not a tiny one.
    expect(Math.max(...ours.map(Math.abs))).toBeGreaterThan(0.5)
    const theirs = new Float32Array(expected.images.length * pixels)
    expected.images.forEach((image, i) => theirs.set(nchwToNhwc(image, shape.nc, shape.size), i * pixels))
    expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(TOLERANCE)
    // D on PyTorch's own images and on random ones.
    for (const [inputs, outputs] of [
      [expected.images, expected.dOnImages],
      [expected.random ?? [], expected.dOnRandom ?? []]
    ] as const) {
      const batch = new Float32Array(inputs.length * pixels)
      inputs.forEach((image, i) => batch.set(nchwToNhwc(image, shape.nc, shape.size), i * pixels))
      const x = tf.tensor4d(batch, [inputs.length, shape.size, shape.size, shape.nc])
      const d = discriminator.predict(x) as tf.Tensor
      expect(maxAbsDiff(await d.data(), outputs)).toBeLessThanOrEqual(TOLERANCE)
      tf.dispose([x, d])
    }
    tf.dispose([z, images])
    expect(tf.memory().numTensors).toBe(before)
  } finally {
    generator.dispose()
    discriminator.dispose()
  }
}

describe('import-model: models trained with PyTorch', () => {
  it('imports netG.pth + netD.pth and renders and judges as PyTorch does (max |Δ| ≤ 1e-4)', async () => {
    const shape: MainPyShape = { size: 32, nz: 10, ngf: 8, ndf: 6, nc: 3 }
    const source = tempDir('mainpy-32')
    const expected = await saveMainPyNets(source, shape, { steps: 4, samples: 5, initStd: 0.1 })
    const library = tempDir('import-library')
    const { runId, record } = await importModel(library, source)
    expect(record.model).toMatchObject({
      imageSize: 32,
      channels: 3,
      zDim: 10,
      genWidth: 8,
      discWidth: 6,
      kernelSize: 4,
      noise: { kind: 'normal', mean: 0, std: 1 }
    })
    expect(record.dataset).toBeNull()
    expect(record.imported?.format).toBe('pytorch')
    expect(record.imported?.networks).toEqual(['G', 'D'])
    await compareWithPyTorch(library, runId, shape, expected)
  })

  it('imports a 64 px grayscale pair saved as safetensors without the "main." prefix, equally faithfully', async () => {
    const shape: MainPyShape = { size: 64, nz: 12, ngf: 4, ndf: 4, nc: 1 }
    const source = tempDir('mainpy-64')
    const expected = await saveMainPyNets(source, shape, { steps: 3, samples: 3, safetensors: true, prefix: 'none', seed: 7, initStd: 0.1 })
    const library = tempDir('import-library-64')
    const { runId, record } = await importModel(library, source, ['--name', 'Grey 64', '--noise', 'uniform'])
    expect(record.name).toBe('Grey 64')
    expect(record.model).toMatchObject({ imageSize: 64, channels: 1, zDim: 12, noise: { kind: 'uniform', low: -1, high: 1 } })
    expect(record.imported?.format).toBe('safetensors')
    await compareWithPyTorch(library, runId, shape, expected)
  })

  it('refuses a file that is not a DCGAN with what it found and what was expected, and writes nothing', async () => {
    const library = tempDir('refused-library')
    const source = tempDir('not-a-dcgan')
    const classifier = path.join(source, 'classifier.pth')
    await saveOtherNetwork(classifier)
    // What a killed import left two days ago goes; an import in progress elsewhere (a fresh folder) stays.
    const stale = path.join(library, 'runs', '.import-killed')
    const live = path.join(library, 'runs', '.import-running')
    fs.mkdirSync(stale, { recursive: true })
    fs.mkdirSync(live, { recursive: true })
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
    fs.utimesSync(stale, twoDaysAgo, twoDaysAgo)
    const other = await runCli(['import-model', classifier, '--library', library])
    expect(fs.existsSync(stale)).toBe(false)
    expect(fs.existsSync(live)).toBe(true)
    fs.rmSync(live, { recursive: true })
    expect(other.code).toBe(1)
    const message = (other.lines.at(-1)?.error as { message: string }).message
    expect(message).toContain('is not a DCGAN generator or discriminator')
    expect(message).toContain('0.weight [8, 3, 3, 3]')
    expect(message).toContain("main.py's generator holds main.0.weight [nz, 8·ngf, 4, 4]")

    fs.writeFileSync(path.join(source, 'netD.pth'), 'not a model')
    const text = await runCli(['import-model', path.join(source, 'netD.pth'), '--library', library])
    expect(text.code).toBe(1)
    expect((text.lines.at(-1)?.error as { message: string }).message).toMatch(/netD\.pth is neither a PyTorch file/)

    const cut = path.join(source, 'netG.safetensors')
    fs.writeFileSync(cut, Buffer.concat([Buffer.from([20, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"w":{"dtype":"F32",')]))
    const damaged = await runCli(['import-model', cut, '--library', library])
    expect(damaged.code).toBe(1)
    expect((damaged.lines.at(-1)?.error as { message: string }).message).toMatch(/netG\.safetensors/)
    // Only the two demos a new library starts with (the faces demo and the paper's SVHN model): no run, and no
    // staging folder left behind.
    const demos = (name: string): boolean => name.startsWith('procedural-faces-demo') || name === 'paper-svhn-dcgan'
    expect(fs.readdirSync(path.join(library, 'runs')).filter((name) => !demos(name))).toEqual([])
  })

  it('an imported model renders given z vectors as one PNG per sample, and trains further on a dataset chosen then', async () => {
    const shape: MainPyShape = { size: 32, nz: 8, ngf: 8, ndf: 8, nc: 3 }
    const source = tempDir('mainpy-sample')
    const expected = await saveMainPyNets(source, shape, { steps: 2, samples: 3, initStd: 0.1, seed: 3 })
    const library = tempDir('sample-library')
    const { runId } = await importModel(library, source)

    const zFile = path.join(tempDir('z'), 'z.json')
    fs.writeFileSync(zFile, JSON.stringify(expected.z))
    const out = tempDir('individual')
    const sampled = await runCli(['sample', '--run', runId, '--z', zFile, '--individual', '--out', out, '--library', library])
    expect(sampled.code, sampled.stderr).toBe(0)
    expect(fs.readdirSync(out).sort()).toEqual(['sample-0000.png', 'sample-0001.png', 'sample-0002.png'])
    for (const [i, image] of expected.images.entries()) {
      const { data, info } = await sharp(path.join(out, `sample-000${i}.png`))
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true })
      expect([info.width, info.height, info.channels]).toEqual([32, 32, 3])
      // PyTorch's image as the studio quantises it, (x + 1) · 127.5 rounded: at most one level apart.
      const theirs = nchwToNhwc(image, 3, 32).map((x) => Math.min(255, Math.max(0, Math.round((x + 1) * 127.5))))
      expect(maxAbsDiff(data, theirs)).toBeLessThanOrEqual(1)
    }
    const wrongLength = path.join(tempDir('z-bad'), 'z.json')
    fs.writeFileSync(wrongLength, JSON.stringify([[1, 2, 3]]))
    const refused = await runCli(['sample', '--run', runId, '--z', wrongLength, '--individual', '--out', out, '--library', library])
    expect(refused.code).toBe(2)
    expect((refused.lines.at(-1)?.error as { message: string }).message).toContain('z vector 0 in')

    const seeded = tempDir('seeded')
    const bySeed = await runCli(['sample', '--run', runId, '--count', '2', '--seed', '9', '--individual', '--out', seeded, '--library', library])
    expect(bySeed.code, bySeed.stderr).toBe(0)
    expect(fs.readdirSync(seeded).sort()).toEqual(['sample-0000.png', 'sample-0001.png'])

    // Training needs a dataset; the run has none until one is chosen, and says so.
    const noData = await runCli(['resume', runId, '--steps', '2', '--library', library])
    expect(noData.code).toBe(1)
    expect((noData.lines.at(-1)?.error as { message: string }).message).toContain('imported without a dataset')
    const images = tempDir('discs')
    await writeDiscImages(images, 8)
    const dataset = await runCli(['import', images, '--size', '32', '--library', library])
    expect(dataset.code).toBe(0)
    const trained = await runCli(['resume', runId, '--dataset', String(dataset.lines.at(-1)?.datasetId), '--steps', '2', '--library', library])
    expect(trained.code, trained.stderr + JSON.stringify(trained.lines.at(-1))).toBe(0)
    expect(trained.lines.at(-1)).toMatchObject({ event: 'done', step: 2 })
    const started = trained.lines.find((line) => line.event === 'train' && line.kind === 'started')
    expect(started).toMatchObject({ step: 0, resumedFrom: 0 })
  })

  it('imports netG.pth alone: it samples, and what needs D says that D was not imported', async () => {
    const shape: MainPyShape = { size: 32, nz: 8, ngf: 4, ndf: 4, nc: 3 }
    const source = tempDir('mainpy-only-g')
    await saveMainPyNets(source, shape, { only: 'G', initStd: 0.1 })
    const library = tempDir('only-g-library')
    const { runId, record } = await importModel(library, path.join(source, 'netG.pth'))
    expect(record.imported?.networks).toEqual(['G'])
    const grid = path.join(tempDir('only-g-grid'), 'grid.png')
    const sampled = await runCli(['sample', '--run', runId, '--count', '4', '--out', grid, '--library', library])
    expect(sampled.code, sampled.stderr).toBe(0)
    expect(fs.existsSync(grid)).toBe(true)
    const features = await runCli([
      'features',
      '--run',
      runId,
      '--net',
      'D',
      '--seed',
      '1',
      '--layer',
      '1',
      '--out',
      path.join(tempDir('only-g-features'), 'maps.png'),
      '--library',
      library
    ])
    expect(features.code).toBe(1)
    expect((features.lines.at(-1)?.error as { message: string }).message).toContain('imported without its discriminator (D)')
    const trained = await runCli(['resume', runId, '--steps', '2', '--library', library])
    expect(trained.code).toBe(1)
    expect((trained.lines.at(-1)?.error as { message: string }).message).toContain('imported without its discriminator (D) (from netG.pth alone)')
  })
})
