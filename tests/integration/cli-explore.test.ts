import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { meanDifference } from '../support/pixels'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

async function pixels(file: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file).removeAlpha().raw().toBuffer())
}

// Exploration from the command line on a small model trained here with the real engine.
describe('dcgan-studio walk, arithmetic, features, guided', () => {
  const out = tempDir('explore-out')
  let library = ''
  let runId = ''

  beforeAll(async () => {
    ;({ library, runId } = await trainTinyRun({ images: 32, seed: 3, steps: 60, batch: 16, extra: ['--lr', '0.001'] }))
  })

  it('walks between seeds: a strip, every frame on disk, changing smoothly', async () => {
    const strip = path.join(out, 'strip.png')
    const frames = path.join(out, 'frames')
    const result = await runCli([
      'walk',
      '--run',
      runId,
      '--seeds',
      '1,2',
      '--steps',
      '16',
      '--mode',
      'slerp',
      '--out',
      strip,
      '--frames',
      frames,
      '--library',
      library
    ])
    expect(result.code).toBe(0)
    expect(result.lines.at(-1)).toMatchObject({ frames: 17 })
    const files = fs.readdirSync(frames).sort()
    expect(files[0]).toBe('frame-0000.png')
    expect(files).toHaveLength(17)
    const images = await Promise.all(files.map((f) => pixels(path.join(frames, f))))
    const endpoints = meanDifference(images[0] as Uint8Array, images[16] as Uint8Array)
    const steps = images.slice(1).map((image, i) => meanDifference(images[i] as Uint8Array, image))
    expect(endpoints).toBeGreaterThan(1)
    expect(Math.max(...steps)).toBeLessThan(endpoints / 3)
    const meta = await sharp(strip).metadata()
    expect(meta.width).toBe(17 * 32 + 16 * 2)
  })

  it('does the same seed, the same z: a loop walk starts where an open one does', async () => {
    const loop = await runCli([
      'walk',
      '--run',
      runId,
      '--seeds',
      '1,2,3',
      '--steps',
      '4',
      '--loop',
      '--mode',
      'lerp',
      '--out',
      path.join(out, 'loop.png'),
      '--frames',
      path.join(out, 'loop'),
      '--library',
      library
    ])
    expect(loop.lines.at(-1)).toMatchObject({ frames: 12 })
    const a = await pixels(path.join(out, 'loop', 'frame-0000.png'))
    const b = await pixels(path.join(out, 'frames', 'frame-0000.png'))
    expect(meanDifference(a, b)).toBe(0)
  })

  it('computes A − B + C with 8 neighbours and reports the vectors with --json', async () => {
    const file = path.join(out, 'result.png')
    const result = await runCli([
      'arithmetic',
      '--run',
      runId,
      '--a',
      '1,2,3',
      '--b',
      '4,5,6',
      '--c',
      '7,8,9',
      '--noise',
      '0.25',
      '--out',
      file,
      '--library',
      library
    ])
    expect(result.code).toBe(0)
    const line = result.lines.at(-1) as { result: number[]; means: { a: number[]; b: number[]; c: number[] }; neighbours: number[][] }
    expect(line.result).toHaveLength(100)
    for (let i = 0; i < 100; i++) {
      expect(line.result[i]).toBeCloseTo((line.means.a[i] as number) - (line.means.b[i] as number) + (line.means.c[i] as number), 5)
    }
    expect(line.neighbours).toHaveLength(8)
    for (const n of line.neighbours)
      for (let i = 0; i < 100; i++) expect(Math.abs((n[i] as number) - (line.result[i] as number))).toBeLessThanOrEqual(0.25 + 1e-6)
    const meta = await sharp(file).metadata()
    expect(meta.width).toBe(3 * 32 + 2 * 2)
  })

  it('writes feature maps of a layer and guided backprop beside the random-init D', async () => {
    const maps = await runCli([
      'features',
      '--run',
      runId,
      '--seed',
      '3',
      '--net',
      'D',
      '--layer',
      '1',
      '--out',
      path.join(out, 'maps.png'),
      '--library',
      library
    ])
    expect(maps.code).toBe(0)
    const layer = maps.lines.at(-1) as { layer: string; shape: number[]; maps: { strength: number }[] }
    expect(layer.layer).toBe('d_lrelu1')
    expect(layer.shape).toEqual([8, 8, 16])
    const strengths = layer.maps.map((m) => m.strength)
    expect(strengths).toEqual([...strengths].sort((x, y) => y - x))
    const guided = await runCli(['guided', '--run', runId, '--seed', '3', '--layer', '2', '--out', path.join(out, 'guided.png'), '--library', library])
    expect(guided.code).toBe(0)
    expect(guided.lines.at(-1)).toMatchObject({ layer: 'd_conv2', order: ['image', 'trained', 'random', 'plain'] })
    const meta = await sharp(path.join(out, 'guided.png')).metadata()
    expect(meta.width).toBe((4 * 32 + 3 * 2) * 2)
    const bad = await runCli(['guided', '--run', runId, '--seed', '3', '--layer', 'nope', '--out', path.join(out, 'x.png'), '--library', library])
    expect(bad.code).not.toBe(0)
  })
})
