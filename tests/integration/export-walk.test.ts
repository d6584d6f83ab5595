import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { meanDifference, readRecord } from '../support/pixels'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { FFMPEG, probe } from '../support/video-probe'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

/** The first frame, decoded to RGB. */
function firstFrame(file: string): Buffer {
  const result = spawnSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 64 << 20
  })
  return result.stdout
}

async function rgb(file: string, size?: number): Promise<Buffer> {
  const image = sharp(file).removeAlpha()
  return (size ? image.resize(size, size, { kernel: 'nearest' }) : image).raw().toBuffer()
}

// Exports of a small model trained here with the real engine, through the real CLI and the bundled ffmpeg.
describe('dcgan-studio export-walk', () => {
  const out = tempDir('export-out')
  let library = ''
  let runId = ''
  const lib = (): string[] => ['--library', library]

  beforeAll(async () => {
    ;({ library, runId } = await trainTinyRun({ images: 24, seed: 7, steps: 30, batch: 12, extra: ['--lr', '0.001'] }))
    // The reference: the walk's frames as the explorer renders them (frame 0 is the first keyframe).
    const walk = await runCli([
      'walk',
      '--run',
      runId,
      '--seeds',
      '1,2,3',
      '--steps',
      '10',
      '--mode',
      'slerp',
      '--out',
      path.join(out, 'strip.png'),
      '--frames',
      path.join(out, 'reference'),
      ...lib()
    ])
    expect(walk.code).toBe(0)
  })

  it('writes an MP4 (H.264, yuv420p) with the requested frames, size, rate and duration, starting on the first keyframe', async () => {
    const file = path.join(out, 'walk.mp4')
    const result = await runCli([
      'export-walk',
      '--run',
      runId,
      '--seeds',
      '1,2,3',
      '--steps',
      '10',
      '--fps',
      '30',
      '--size',
      '128',
      '--mode',
      'slerp',
      '--out',
      file,
      ...lib()
    ])
    expect(result.code).toBe(0)
    const progress = result.lines.filter((l) => l.event === 'progress')
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.some((l) => typeof l.etaSeconds === 'number')).toBe(true)
    expect(result.lines.at(-1)).toMatchObject({ event: 'done', file, format: 'mp4', frames: 21, width: 128, height: 128, fps: 30 })
    const video = probe(file)
    expect(video).toMatchObject({ codec: 'h264', pixelFormat: 'yuv420p', width: 128, height: 128, fps: 30, frames: 21 })
    expect(video.seconds).toBeCloseTo(21 / 30, 1)
    // Nearest upscaling ×4 of the generated image, through H.264: equal within compression error.
    const reference = await rgb(path.join(out, 'reference', 'frame-0000.png'), 128)
    expect(meanDifference(firstFrame(file), reference)).toBeLessThan(6)
  })

  it('records where the file came from, enough to render it again', () => {
    const sidecar = readRecord(path.join(out, 'walk.mp4.json'))
    expect(sidecar).toMatchObject({ operation: 'walk', file: 'walk.mp4', run: { id: runId, checkpointStep: 30 } })
    expect(sidecar.request).toMatchObject({
      run: { id: runId, step: 30 },
      walks: [
        [
          { kind: 'seed', seed: 1 },
          { kind: 'seed', seed: 2 },
          { kind: 'seed', seed: 3 }
        ]
      ],
      mode: 'slerp',
      timing: { kind: 'frames-per-segment', frames: 10 },
      fps: 30,
      size: 128,
      upscale: 'nearest',
      format: 'mp4'
    })
    const walks = sidecar.latent.walks as number[][][]
    expect(walks[0]).toHaveLength(3)
    expect(walks[0]?.[0]).toHaveLength(100)
    expect(sidecar.output).toMatchObject({ codec: 'h264', pixelFormat: 'yuv420p', width: 128, height: 128, frames: 21 })
    expect(sidecar.encoder?.args[0]).toMatch(/libx264/)
  })

  it('writes a seamless WebM (VP9) loop with lanczos upscaling: no frame repeats at the wrap', async () => {
    const file = path.join(out, 'loop.webm')
    const result = await runCli([
      'export-walk',
      '--run',
      runId,
      '--seeds',
      '1,2,3',
      '--loop',
      '--steps',
      '6',
      '--fps',
      '24',
      '--size',
      '96',
      '--upscale',
      'lanczos',
      '--out',
      file,
      ...lib()
    ])
    expect(result.code).toBe(0)
    // Three segments back to the start, six frames each, and not the first keyframe again at the end.
    expect(result.lines.at(-1)).toMatchObject({ frames: 18, width: 96, height: 96 })
    const video = probe(file)
    expect(video).toMatchObject({ codec: 'vp9', pixelFormat: 'yuv420p', width: 96, height: 96, fps: 24, frames: 18 })
    expect(video.seconds).toBeCloseTo(18 / 24, 1)
  })

  it('writes a palette GIF of two walks side by side, with the total duration asked for', async () => {
    const file = path.join(out, 'grid.gif')
    const result = await runCli([
      'export-walk',
      '--run',
      runId,
      '--seeds',
      '1,2',
      '--seeds',
      '3,4,5',
      '--duration',
      '1',
      '--fps',
      '25',
      '--size',
      '64',
      '--out',
      file,
      ...lib()
    ])
    expect(result.code).toBe(0)
    // Two columns of 32 px images 1 px apart, all scaled ×2.
    expect(result.lines.at(-1)).toMatchObject({ format: 'gif', frames: 25, width: 130, height: 64 })
    const gif = probe(file)
    expect(gif).toMatchObject({ codec: 'gif', width: 130, height: 64, frames: 25 })
    expect(gif.seconds).toBeCloseTo(1, 1)
    expect(readRecord(`${file}.json`).output).toMatchObject({ grid: { walks: 2, columns: 2, rows: 1 } })
  })

  it("writes PNG frames that are exactly the explorer's frames, and renders them again from the record", async () => {
    const dir = path.join(out, 'frames')
    const result = await runCli(['export-walk', '--run', runId, '--seeds', '1,2,3', '--steps', '10', '--size', '32', '--format', 'png', '--out', dir, ...lib()])
    expect(result.code).toBe(0)
    const names = fs.readdirSync(dir).sort()
    expect(names).toEqual(['export.json', ...Array.from({ length: 21 }, (_, i) => `frame-${String(i).padStart(4, '0')}.png`)])
    for (const name of ['frame-0000.png', 'frame-0007.png', 'frame-0020.png']) {
      expect(meanDifference(await rgb(path.join(dir, name)), await rgb(path.join(out, 'reference', name)))).toBe(0)
    }
    const again = path.join(out, 'frames-again')
    const rerun = await runCli(['export-walk', '--from', path.join(dir, 'export.json'), '--out', again, ...lib()])
    expect(rerun.code).toBe(0)
    for (const name of names.filter((n) => n.endsWith('.png'))) {
      expect(meanDifference(await rgb(path.join(again, name)), await rgb(path.join(dir, name)))).toBe(0)
    }
  })

  it('leaves nothing behind when cancelled mid-export', async () => {
    const dir = tempDir('export-cancel')
    const file = path.join(dir, 'long.webm')
    let interrupted = false
    const result = await runCli(['export-walk', '--run', runId, '--seeds', '1,2,3,1', '--steps', '400', '--size', '512', '--out', file, ...lib()], {
      onLine: (line, child) => {
        if (!interrupted && line.event === 'progress' && typeof line.progress === 'number' && line.progress > 0.05) {
          interrupted = true
          child.kill('SIGINT')
        }
      }
    })
    expect(interrupted).toBe(true)
    expect(result.code).toBe(130)
    expect(result.lines.at(-1)).toEqual({ event: 'cancelled' })
    // Neither the video nor its temporary, its record or a GIF's scratch files.
    expect(fs.readdirSync(dir)).toEqual([])
  })

  it('refuses to write frames into a folder of other files, and says when ffmpeg is missing', async () => {
    const dir = tempDir('export-refuse')
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine\n')
    const refused = await runCli(['export-walk', '--run', runId, '--seeds', '1,2', '--steps', '2', '--format', 'png', '--out', dir, ...lib()])
    expect(refused.code).toBe(1)
    expect((refused.lines.at(-1)?.error as { message: string }).message).toMatch(/already holds other files/)
    expect(fs.readdirSync(dir)).toEqual(['notes.txt'])

    const saved = process.env.FFMPEG_PATH
    process.env.FFMPEG_PATH = path.join(dir, 'no-such-ffmpeg')
    try {
      const missing = await runCli(['export-walk', '--run', runId, '--seeds', '1,2', '--out', path.join(dir, 'walk.mp4'), ...lib()])
      expect(missing.code).toBe(1)
      expect((missing.lines.at(-1)?.error as { message: string }).message).toMatch(/needs ffmpeg.*FFMPEG_PATH/)
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH
      else process.env.FFMPEG_PATH = saved
    }
    expect(fs.readdirSync(dir)).toEqual(['notes.txt'])
  })
})

describe('dcgan-studio export (figures, vectors)', () => {
  const out = tempDir('export-fig-out')
  let library = ''
  let runId = ''

  beforeAll(async () => {
    ;({ library, runId } = await trainTinyRun({ images: 16, seed: 9 }))
  })

  it("lays out A − B + C as the paper's Fig. 7 in one PNG, with every part located in its record", async () => {
    const file = path.join(out, 'fig7.png')
    const result = await runCli([
      'export',
      'arithmetic',
      '--run',
      runId,
      '--a',
      '1,2,3',
      '--b',
      '4,5,6',
      '--c',
      '7,8,9',
      '--scale',
      '2',
      '--out',
      file,
      '--library',
      library
    ])
    expect(result.code).toBe(0)
    const meta = await sharp(file).metadata()
    expect(result.lines.at(-1)).toMatchObject({ event: 'done', width: meta.width, height: meta.height })
    const sidecar = readRecord(`${file}.json`)
    expect(sidecar.operation).toBe('arithmetic')
    const cells = sidecar.output.cells as { label: string; x: number; y: number; width: number; height: number }[]
    const labels = cells.map((c) => c.label)
    for (const label of ['A exemplar 3', 'C exemplar 1', 'mean A', 'mean B', 'mean C', 'result', 'neighbour 8', 'pixel result']) expect(labels).toContain(label)
    expect(cells.filter((c) => c.label.startsWith('neighbour'))).toHaveLength(8)
    // Each part of the figure is the image the explorer renders for it: the result cell is mean(A) − mean(B) + mean(C).
    const result3x3 = cells.find((c) => c.label === 'result') as { x: number; y: number; width: number; height: number }
    expect(result3x3.width).toBe(64)
    const arithmetic = await runCli([
      'arithmetic',
      '--run',
      runId,
      '--a',
      '1,2,3',
      '--b',
      '4,5,6',
      '--c',
      '7,8,9',
      '--out',
      path.join(out, 'plain.png'),
      '--library',
      library
    ])
    const crop = await sharp(file).extract({ left: result3x3.x, top: result3x3.y, width: 64, height: 64 }).removeAlpha().raw().toBuffer()
    // The plain arithmetic grid is 3×3 of 32 px with 2 px gaps: its centre is at (34, 34).
    const centre = await sharp(path.join(out, 'plain.png'))
      .extract({ left: 34, top: 34, width: 32, height: 32 })
      .resize(64, 64, { kernel: 'nearest' })
      .removeAlpha()
      .raw()
      .toBuffer()
    expect(arithmetic.code).toBe(0)
    expect(meanDifference(crop, centre)).toBe(0)
    const latent = sidecar.latent as { result: number[]; means: { a: number[]; b: number[]; c: number[] } }
    for (let i = 0; i < 100; i += 17)
      expect(latent.result[i]).toBeCloseTo((latent.means.a[i] as number) - (latent.means.b[i] as number) + (latent.means.c[i] as number), 5)
  })

  it('writes a sample grid and a single image at a chosen scale, and z vectors as JSON', async () => {
    const grid = await runCli([
      'export',
      'samples',
      '--run',
      runId,
      '--seed',
      '7',
      '--count',
      '6',
      '--columns',
      '3',
      '--scale',
      '3',
      '--out',
      path.join(out, 'grid.png'),
      '--library',
      library
    ])
    expect(grid.code).toBe(0)
    expect(await sharp(path.join(out, 'grid.png')).metadata()).toMatchObject({ width: (3 * 32 + 2 * 2) * 3, height: (2 * 32 + 2) * 3 })
    expect(readRecord(path.join(out, 'grid.png.json')).request).toMatchObject({ seed: 7, count: 6, scale: 3 })
    const one = await runCli(['export', 'image', '--run', runId, '--seed', '7', '--scale', '3', '--out', path.join(out, 'one'), '--library', library])
    expect(one.code).toBe(0)
    expect(one.lines.at(-1)).toMatchObject({ file: path.join(out, 'one.png'), width: 96, height: 96 })
    // Seed 7 is sample 0 of grid seed 7: the single image is the grid's first cell.
    const first = await sharp(path.join(out, 'grid.png')).extract({ left: 0, top: 0, width: 96, height: 96 }).removeAlpha().raw().toBuffer()
    expect(meanDifference(first, await rgb(path.join(out, 'one.png')))).toBe(0)
    const smooth = await runCli([
      'export',
      'image',
      '--run',
      runId,
      '--seed',
      '7',
      '--scale',
      '4',
      '--upscale',
      'lanczos',
      '--out',
      path.join(out, 'smooth.png'),
      '--library',
      library
    ])
    expect(smooth.lines.at(-1)).toMatchObject({ width: 128, height: 128 })
    const vectors = await runCli(['export', 'vectors', '--run', runId, '--seeds', '7,8', '--out', path.join(out, 'z.json'), '--library', library])
    expect(vectors.code).toBe(0)
    const document = JSON.parse(fs.readFileSync(path.join(out, 'z.json'), 'utf8')) as { zDim: number; vectors: { from: unknown; z: number[] }[] }
    expect(document.zDim).toBe(100)
    expect(document.vectors.map((v) => v.from)).toEqual([
      { seed: 7, index: 0 },
      { seed: 8, index: 0 }
    ])
    expect(document.vectors[0]?.z).toHaveLength(100)
  })
})
