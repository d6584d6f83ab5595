import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { ExportRecord } from '../../src/shared/api/export'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { saveMainPyNets } from '../support/dcgan-main-py'
import { tempDir } from '../support/fixtures'

// Big canvas from the command line, on the demo model (32×32: s = 8 pixels a cell) and on a model trained
// with PyTorch's DCGAN example and imported: the predicted size, the ordinary sample for a 1×1 canvas, a
// seamless tiling, and the record beside the PNG drawing the same file again.

const DEMO = 'procedural-faces-demo-dbd50b'

beforeAll(() => ensureBuilt(), 300_000)

async function pixels(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height }
}

async function canvas(library: string, args: string[]): Promise<Record<string, unknown>> {
  const result = await runCli(['canvas', ...args, '--library', library])
  expect(result.code, result.stderr + JSON.stringify(result.lines)).toBe(0)
  return result.lines.at(-1) as Record<string, unknown>
}

/** Mean absolute difference between two columns (or rows) of an RGB image: how well two edges meet. */
function seam(image: { data: Buffer; width: number; height: number }, a: number, b: number, axis: 'x' | 'y'): number {
  const n = axis === 'x' ? image.height : image.width
  let sum = 0
  for (let i = 0; i < n; i++) {
    const [pa, pb] = axis === 'x' ? [i * image.width + a, i * image.width + b] : [a * image.width + i, b * image.width + i]
    for (let c = 0; c < 3; c++) sum += Math.abs(image.data[pa * 3 + c]! - image.data[pb * 3 + c]!)
  }
  return sum / (n * 3)
}

describe('dcgan-studio canvas', () => {
  const out = tempDir('canvas-out')
  const library = tempDir('canvas-library')

  it('draws the demo model on a 6×3 grid as one (6 + 3)·8 × (3 + 3)·8 picture, and --from draws the same file', async () => {
    const file = path.join(out, 'demo.png')
    const done = await canvas(library, ['--run', DEMO, '--grid', '6x3', '--seed', '4', '--scale', '2', '--out', file])
    expect(done).toMatchObject({ file, width: 144, height: 96 })
    const record = ExportRecord.parse(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')))
    expect(record.operation).toBe('canvas')
    expect(record.request).toMatchObject({ columns: 6, rows: 3, seed: 4, blend: 3, tile: false, statistics: 'canvas', run: { id: DEMO, step: 5500 } })
    expect(record.latent).toMatchObject({ anchorColumns: 3, anchorRows: 2 })
    const again = path.join(out, 'again.png')
    await canvas(library, ['--from', `${file}.json`, '--out', again])
    expect(fs.readFileSync(again).equals(fs.readFileSync(file))).toBe(true)
    const refused = await runCli(['canvas', '--from', `${file}.json`, '--seed', '5', '--out', again, '--library', library])
    expect(refused.code).toBe(2)
  })

  it('a 1×1 canvas with the model statistics is the seed’s first sample, pixel for pixel', async () => {
    const one = path.join(out, 'one.png')
    await canvas(library, ['--run', DEMO, '--grid', '1x1', '--seed', '12', '--statistics', 'model', '--scale', '1', '--out', one])
    const sample = path.join(out, 'sample.png')
    const exported = await runCli(['export', 'image', '--run', DEMO, '--seed', '12', '--scale', '1', '--out', sample, '--library', library])
    expect(exported.code, exported.stderr).toBe(0)
    const [a, b] = [await pixels(one), await pixels(sample)]
    expect([a.width, a.height]).toEqual([32, 32])
    expect(a.data.equals(b.data)).toBe(true)
  })

  it('a tiling canvas continues across its edges', async () => {
    const file = path.join(out, 'tile.png')
    await canvas(library, ['--run', DEMO, '--grid', '5x4', '--tile', '--seed', '2', '--scale', '1', '--out', file])
    const image = await pixels(file)
    expect([image.width, image.height]).toEqual([40, 32])
    // The last column meets the first as closely as two neighbouring columns meet inside the picture.
    const inside = (seam(image, 10, 11, 'x') + seam(image, 20, 21, 'x') + seam(image, 30, 31, 'x')) / 3
    expect(seam(image, image.width - 1, 0, 'x')).toBeLessThan(inside * 2 + 2)
    const insideRows = (seam(image, 10, 11, 'y') + seam(image, 20, 21, 'y')) / 2
    expect(seam(image, image.height - 1, 0, 'y')).toBeLessThan(insideRows * 2 + 2)
    // A plain canvas's opposite edges are unrelated.
    const plain = await pixels(path.join(out, 'demo.png'))
    expect(seam(plain, plain.width - 1, 0, 'x')).toBeGreaterThan(seam(plain, 40, 41, 'x'))
  })

  it('refuses a grid it cannot draw, saying what to change', async () => {
    const bad = await runCli(['canvas', '--run', DEMO, '--grid', '6', '--out', path.join(out, 'bad.png'), '--library', library])
    expect(bad.code).toBe(2)
    expect(JSON.stringify(bad.lines)).toMatch(/COLUMNSxROWS/)
    const big = await runCli(['canvas', '--run', DEMO, '--grid', '65x2', '--out', path.join(out, 'big.png'), '--library', library])
    expect(big.code).toBe(2)
    expect(fs.existsSync(path.join(out, 'big.png'))).toBe(false)
  })

  it('draws a model trained with PyTorch main.py and imported, at its predicted size', async () => {
    const source = tempDir('canvas-mainpy')
    await saveMainPyNets(source, { size: 32, nz: 8, ngf: 8, ndf: 8, nc: 3 }, { steps: 2, samples: 1, initStd: 0.1, seed: 5 })
    const imported = await runCli(['import-model', source, '--library', library])
    expect(imported.code, imported.stderr).toBe(0)
    const runId = String(imported.lines.at(-1)?.runId)
    const file = path.join(out, 'imported.png')
    await canvas(library, ['--run', runId, '--grid', '4x2', '--seed', '1', '--scale', '1', '--out', file])
    const image = await pixels(file)
    expect([image.width, image.height]).toEqual([(4 + 3) * 8, (2 + 3) * 8])
    const one = path.join(out, 'imported-one.png')
    await canvas(library, ['--run', runId, '--grid', '1x1', '--seed', '3', '--statistics', 'model', '--scale', '1', '--out', one])
    const sample = path.join(out, 'imported-sample.png')
    expect((await runCli(['export', 'image', '--run', runId, '--seed', '3', '--scale', '1', '--out', sample, '--library', library])).code).toBe(0)
    expect((await pixels(one)).data.equals((await pixels(sample)).data)).toBe(true)
  })
})
