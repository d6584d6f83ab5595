import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { readRecord } from '../support/pixels'
import { runCli } from '../support/cli'
import { type MainPyShape, saveMainPyNets } from '../support/dcgan-main-py'
import { tempDir } from '../support/fixtures'
import { probe } from '../support/video-probe'

// `dcgan-studio grid` through the real CLI, engine and bundled ffmpeg: on the demo run an empty library starts
// with, and on a model trained by PyTorch's main.py and imported as a run.

beforeAll(() => ensureBuilt())

const DEMO = 'procedural-faces-demo-dbd50b'

interface Raw {
  data: Buffer
  width: number
  height: number
}

async function raw(file: string): Promise<Raw> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height }
}

/** The `side` × `side` square of an RGB image at (x, y). */
function crop(image: Raw, x: number, y: number, side: number): Buffer {
  const rows = Array.from({ length: side }, (_, r) => image.data.subarray(((y + r) * image.width + x) * 3, ((y + r) * image.width + x + side) * 3))
  return Buffer.concat(rows)
}

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const result = await runCli(args)
  expect(result.code, result.stderr + JSON.stringify(result.lines)).toBe(0)
  return result.lines.at(-1) as Record<string, unknown>
}

/**
 * Makes a 3 × 2 grid figure of seeds 1…4 at scale 1 and checks it against the ordinary samples of those seeds,
 * its size, its record, and that --from makes the same file byte for byte.
 */
async function checkFigure(library: string, run: string, imageSize: number, out: string): Promise<void> {
  const lib = ['--library', library]
  const file = path.join(out, 'grid.png')
  const done = await cli(['grid', ...lib, '--run', run, '--corners', '1,2,3,4', '--size', '3x2', '--mode', 'slerp', '--scale', '1', '--out', file])
  expect(done).toMatchObject({ event: 'done', file, sidecar: `${file}.json` })
  // 3 columns and 2 rows 2 px apart, with a 2 px margin for the corners' frames.
  const gap = 2
  const grid = await raw(file)
  expect([grid.width, grid.height]).toEqual([3 * imageSize + 2 * gap + 2 * gap, 2 * imageSize + gap + 2 * gap])
  const sidecar = readRecord(`${file}.json`)
  expect(sidecar.operation).toBe('grid')
  expect(sidecar.request).toMatchObject({ columns: 3, rows: 2, mode: 'slerp', markCorners: true, scale: 1 })
  expect(sidecar.run.checkpointStep).toBe((sidecar.request.run as { step: number }).step)
  const corners = sidecar.request.corners as { kind: string; z: number[] }[]
  expect(corners.map((c) => c.kind)).toEqual(['z', 'z', 'z', 'z'])
  expect((sidecar.latent.cells as number[][]).length).toBe(6)

  // Each corner cell is the ordinary sample of its seed, pixel for pixel.
  const cells = (sidecar.output.cornerCells as { corner: string; x: number; y: number; width: number }[]).map((c) => [c.x, c.y])
  expect(cells).toEqual([
    [gap, gap],
    [gap + 2 * (imageSize + gap), gap],
    [gap, gap + imageSize + gap],
    [gap + 2 * (imageSize + gap), gap + imageSize + gap]
  ])
  for (const [i, seed] of [1, 2, 3, 4].entries()) {
    const single = path.join(out, `seed-${seed}.png`)
    await cli(['export', 'image', ...lib, '--run', run, '--seed', String(seed), '--scale', '1', '--out', single])
    const [x, y] = cells[i] as [number, number]
    expect(crop(grid, x, y, imageSize).equals((await raw(single)).data), `corner ${i + 1} (seed ${seed})`).toBe(true)
  }
  // Inner cells lie between the corners: not a copy of any of them.
  expect(crop(grid, gap + imageSize + gap, gap, imageSize).equals(crop(grid, gap, gap, imageSize))).toBe(false)

  const again = path.join(out, 'again.png')
  await cli(['grid', ...lib, '--from', `${file}.json`, '--out', again])
  expect(fs.readFileSync(again).equals(fs.readFileSync(file))).toBe(true)
}

/** The sweep video: (cells − 1) × frames per cell + 1 frames, at the size asked; --from renders it again in another format. */
async function checkVideo(library: string, run: string, out: string, format: 'mp4' | 'webm'): Promise<void> {
  const lib = ['--library', library]
  const file = path.join(out, `grid.${format}`)
  const done = await cli(['grid', ...lib, '--run', run, '--corners', '5,6,7,8', '--size', '3x2', '--frames-per-cell', '3', '--frame-size', '64', '--out', file])
  const frames = (3 * 2 - 1) * 3 + 1
  expect(done).toMatchObject({ event: 'done', file, frames, width: 64, height: 64 })
  const video = probe(file)
  expect({ frames: video.frames, width: video.width, height: video.height }).toEqual({ frames, width: 64, height: 64 })
  const sidecar = readRecord(`${file}.json`)
  expect(sidecar.operation).toBe('grid-video')
  expect(sidecar.request).toMatchObject({ columns: 3, rows: 2, framesPerCell: 3, format })
  expect(sidecar.output).toMatchObject({ frames, sweep: { cells: [0, 1, 2, 5, 4, 3] } })
  // One walk whose keyframes are the cells in snake order.
  expect((sidecar.latent.walks as number[][][])[0]).toHaveLength(6)

  const gif = path.join(out, 'again.gif')
  const again = await cli(['grid', ...lib, '--from', `${file}.json`, '--out', gif, '--format', 'gif'])
  expect(again).toMatchObject({ frames, format: 'gif' })
  expect(probe(gif).frames).toBe(frames)
}

describe('dcgan-studio grid', () => {
  it('makes the demo model’s latent grid: corners are the seeds’ samples, --from repeats it byte for byte, and its sweep video', async () => {
    const library = tempDir('grid-demo-library')
    const out = tempDir('grid-demo-out')
    await checkFigure(library, DEMO, 32, out)
    await checkVideo(library, DEMO, out, 'mp4')
  })

  it('does the same for a DCGAN trained by PyTorch’s main.py and imported', async () => {
    const shape: MainPyShape = { size: 32, nz: 10, ngf: 8, ndf: 6, nc: 3 }
    const source = tempDir('grid-mainpy')
    await saveMainPyNets(source, shape, { steps: 3, samples: 2, initStd: 0.1 })
    const library = tempDir('grid-import-library')
    const imported = await cli(['import-model', source, '--library', library])
    const run = String(imported.runId)
    const out = tempDir('grid-import-out')
    await checkFigure(library, run, 32, out)
    await checkVideo(library, run, out, 'webm')
  })

  it('says what is wrong with its options', async () => {
    const library = tempDir('grid-usage-library')
    const lib = ['--library', library, '--run', DEMO]
    const three = await runCli(['grid', ...lib, '--corners', '1,2,3', '--out', 'g.png'])
    expect(three.code).toBe(2)
    expect(JSON.stringify(three.lines)).toMatch(/at least 4|exactly four/)
    const size = await runCli(['grid', ...lib, '--corners', '1,2,3,4', '--size', '8', '--out', 'g.png'])
    expect(JSON.stringify(size.lines)).toMatch(/columns x rows/)
    const big = await runCli(['grid', ...lib, '--corners', '1,2,3,4', '--size', '40x2', '--out', 'g.png'])
    expect(JSON.stringify(big.lines)).toMatch(/at most 16 cells a side/)
    const ext = await runCli(['grid', ...lib, '--corners', '1,2,3,4', '--out', 'g.jpg'])
    expect(JSON.stringify(ext.lines)).toMatch(/must end in \.png/)
  })
})
