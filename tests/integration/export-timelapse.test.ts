import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { readDemoManifest } from '../../src/main/services/demo'
import { RUN_FILES, sampleFileName } from '../../src/shared/formats/run'
import { ensureBuilt } from '../support/build'
import { meanDifference, readRecord } from '../support/pixels'
import { runCli } from '../support/cli'
import { saveMainPyNets } from '../support/dcgan-main-py'
import { tempDir } from '../support/fixtures'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

// What the export wrote is checked by decoding it with the bundled ffmpeg a user has (there is no ffprobe).
const FFMPEG = process.env.FFMPEG_PATH ?? ffmpegInstaller.path

function probe(file: string): { codec: string; width: number; height: number; fps: number; frames: number } {
  const info = spawnSync(FFMPEG, ['-hide_banner', '-i', file], { encoding: 'utf8' }).stderr
  const stream = /Video: (\w+)[^,]*, \w+(?:\([^)]*\))?, (\d+)x(\d+)/.exec(info)
  const fps = /([\d.]+) (?:fps|tbr)/.exec(info)
  if (!stream || !fps) throw new Error(`ffmpeg does not describe a video stream in ${file}:\n${info}`)
  const decoded = spawnSync(FFMPEG, ['-hide_banner', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' }).stderr
  const frames = [...decoded.matchAll(/frame=\s*(\d+)/g)].at(-1)?.[1]
  if (!frames) throw new Error(`ffmpeg could not decode ${file}:\n${decoded}`)
  return { codec: stream[1] as string, width: Number(stream[2]), height: Number(stream[3]), fps: Number(fps[1]), frames: Number(frames) }
}

/** Every frame of a video, decoded to RGB. */
function decodedFrames(file: string, width: number, height: number): Buffer[] {
  const result = spawnSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 })
  const size = width * height * 3
  return Array.from({ length: result.stdout.length / size }, (_, i) => result.stdout.subarray(i * size, (i + 1) * size))
}

/** A rectangle of an RGB frame. */
function crop(frame: Buffer, width: number, x: number, y: number, w: number, h: number): Buffer {
  const out = Buffer.alloc(w * h * 3)
  for (let row = 0; row < h; row++) frame.copy(out, row * w * 3, ((y + row) * width + x) * 3, ((y + row) * width + x + w) * 3)
  return out
}

// The demo run (24 fixed-noise grids of 270×270 px, steps 0–5,500, metrics for every step) through the real
// CLI and the bundled ffmpeg; then a model imported from PyTorch, which has no training history.
describe('dcgan-studio export timelapse', () => {
  const demo = readDemoManifest()
  const runId = demo?.runId ?? ''
  const library = tempDir('timelapse-library')
  const out = tempDir('timelapse-out')
  const lib = ['--library', library]

  it('writes one frame per sample grid and holds the last, the grid as trained and the caption and losses below', async () => {
    const file = path.join(out, 't.mp4')
    const result = await runCli(['export', 'timelapse', '--run', runId, '--out', file, ...lib])
    expect(result.code, result.stderr).toBe(0)
    const done = result.lines.at(-1) as Record<string, unknown>
    // 24 grids, then 2 s at 10 fps of the last one; 270 px enlarged twice to 540, the caption and strip below.
    expect(done).toMatchObject({ event: 'done', what: 'timelapse', grids: 24, frames: 44, width: 540, fps: 10, firstStep: 0, lastStep: 5500, losses: true })
    const video = probe(file)
    expect(video).toMatchObject({ codec: 'h264', width: 540, frames: 44, fps: 10 })
    expect(video.height).toBe(done.height)
    expect(video.height).toBeGreaterThan(540 + 2 * 40)
    const frames = decodedFrames(file, video.width, video.height)
    expect(frames).toHaveLength(44)
    // The grid at the top of frame 0 is the step-0 grid, of frame 23 and of the held frames the step-5,500 one.
    const grid = async (step: number): Promise<Buffer> =>
      sharp(path.join(library, 'runs', runId, RUN_FILES.samples, sampleFileName(step)))
        .removeAlpha()
        .resize(540, 540, { kernel: 'nearest' })
        .raw()
        .toBuffer()
    const top = (i: number): Buffer => crop(frames[i] as Buffer, 540, 0, 0, 540, 540)
    expect(meanDifference(top(0), await grid(0))).toBeLessThan(6)
    expect(meanDifference(top(23), await grid(5500))).toBeLessThan(6)
    expect(meanDifference(top(0), await grid(5500))).toBeGreaterThan(20)
    expect(meanDifference(top(43), top(23))).toBeLessThan(1)
    // Below the grid the caption changes with the step, and the strip's cursor moves to the right.
    const below = (i: number): Buffer => crop(frames[i] as Buffer, 540, 0, 540, 540, video.height - 540)
    expect(meanDifference(below(0), below(23))).toBeGreaterThan(1)
    const cursorColumn = (i: number): number => {
      const frame = frames[i] as Buffer
      const row = video.height - 20
      let best = -1
      for (let x = 0; x < 540; x++) {
        const o = (row * 540 + x) * 3
        if ((frame[o] as number) > 200 && (frame[o + 1] as number) > 200 && (frame[o + 2] as number) > 200) best = Math.max(best, x)
      }
      return best
    }
    expect(cursorColumn(0)).toBeLessThan(60)
    expect(cursorColumn(12)).toBeGreaterThan(200)
    expect(cursorColumn(12)).toBeLessThan(340)
    expect(cursorColumn(23)).toBeGreaterThan(500)

    const sidecar = readRecord(`${file}.json`)
    expect(sidecar.operation).toBe('timelapse')
    expect(sidecar.run).toMatchObject({ id: runId, checkpointStep: 5500 })
    expect(sidecar.request).toMatchObject({ run: { id: runId }, fromStep: 0, toStep: 5500, fps: 10, hold: 2, losses: true, format: 'mp4', size: null })
    expect(sidecar.output).toMatchObject({ frames: 44, holdFrames: 20, width: 540, lossStrip: true })
    expect((sidecar.output.sampleSteps as number[]).length).toBe(24)

    // --from renders the record again: the same frames.
    const again = path.join(out, 'again.mp4')
    const rerun = await runCli(['export', 'timelapse', '--from', `${file}.json`, '--out', again, ...lib])
    expect(rerun.code, rerun.stderr).toBe(0)
    const repeated = decodedFrames(again, video.width, video.height)
    expect(repeated).toHaveLength(44)
    for (const i of [0, 11, 23, 43]) expect(meanDifference(repeated[i] as Buffer, frames[i] as Buffer)).toBeLessThan(0.5)
    const refused = await runCli(['export', 'timelapse', '--from', `${file}.json`, '--fps', '30', '--out', again, ...lib])
    expect(refused.code).toBe(2)
    expect((refused.lines.at(-1)?.error as { message: string }).message).toMatch(/only --out and --format may change \(not --fps\)/)
  })

  it('exports a range of steps without the loss strip, at a chosen width, as WebM and GIF', async () => {
    const webm = path.join(out, 'range.webm')
    const result = await runCli([
      'export',
      'timelapse',
      '--run',
      runId,
      '--from-step',
      '1000',
      '--to-step',
      '2000',
      '--no-losses',
      '--hold',
      '0',
      '--size',
      '270',
      '--out',
      webm,
      ...lib
    ])
    expect(result.code, result.stderr).toBe(0)
    // Steps 1,000, 1,250, 1,500, 1,750 and 2,000; the grid and a caption of 13 px, rounded up to even for VP9.
    expect(probe(webm)).toMatchObject({ codec: 'vp9', width: 270, height: 284, frames: 5 })
    expect(readRecord(`${webm}.json`).output).toMatchObject({ sampleSteps: [1000, 1250, 1500, 1750, 2000], lossStrip: false })
    const gif = path.join(out, 'range.gif')
    const asGif = await runCli([
      'export',
      'timelapse',
      '--run',
      runId,
      '--from-step',
      '5000',
      '--fps',
      '4',
      '--hold',
      '1',
      '--size',
      '270',
      '--out',
      gif,
      ...lib
    ])
    expect(asGif.code, asGif.stderr).toBe(0)
    // Steps 5,000, 5,250 and 5,500, then a second at 4 fps.
    expect(await sharp(gif).metadata()).toMatchObject({ format: 'gif', width: 270, pages: 7 })
    const none = await runCli(['export', 'timelapse', '--run', runId, '--from-step', '6000', '--out', path.join(out, 'none.mp4'), ...lib])
    expect(none.code).toBe(1)
    expect((none.lines.at(-1)?.error as { message: string }).message).toMatch(
      /no sample grids between step 6000 and step the end; it has grids from step 0 to step 5500/
    )
    expect(fs.existsSync(path.join(out, 'none.mp4'))).toBe(false)
  })

  it('leaves nothing behind when cancelled mid-export', async () => {
    const dir = tempDir('timelapse-cancel')
    const file = path.join(dir, 'long.webm')
    let interrupted = false
    const result = await runCli(['export', 'timelapse', '--run', runId, '--size', '3000', '--hold', '30', '--fps', '30', '--out', file, ...lib], {
      onLine: (line, child) => {
        if (!interrupted && line.event === 'progress' && typeof line.progress === 'number' && line.progress > 0) {
          interrupted = true
          child.kill('SIGINT')
        }
      }
    })
    expect(interrupted).toBe(true)
    expect(result.code).toBe(130)
    expect(result.lines.at(-1)).toEqual({ event: 'cancelled' })
    expect(fs.readdirSync(dir)).toEqual([])
  })

  it('exports the grids a run still training has, while it goes on training', async () => {
    const tiny = await trainTinyRun({ images: 16, seed: 3, steps: 2 })
    // The export started while training (an array: TypeScript does not follow assignments inside the callback).
    const exported: ReturnType<typeof runCli>[] = []
    let trainingId = ''
    const file = path.join(out, 'in-progress.gif')
    const training = runCli(
      [
        'train',
        '--dataset',
        tiny.datasetId,
        '--width',
        '8',
        '--batch',
        '8',
        '--steps',
        '2000',
        '--sample-every',
        '4',
        '--checkpoint-every',
        '2000',
        '--library',
        tiny.library
      ],
      {
        onLine: (line, child) => {
          if (line.event !== 'train' || line.kind !== 'sample' || (line.step as number) < 8 || exported.length > 0) return
          trainingId = String(line.runId)
          const started = runCli(['export', 'timelapse', '--run', trainingId, '--hold', '0', '--out', file, '--library', tiny.library])
          exported.push(started)
          void started.then(() => child.kill('SIGINT'))
        }
      }
    )
    const trained = await training
    expect(exported, trained.stderr).toHaveLength(1)
    const result = await (exported[0] as ReturnType<typeof runCli>)
    expect(result.code, result.stderr).toBe(0)
    const steps = readRecord(`${file}.json`).output.sampleSteps as number[]
    // The grids there were when the export began: steps 0, 4, 8 … in order, each one a frame.
    expect(steps.length).toBeGreaterThanOrEqual(3)
    expect(steps).toEqual(steps.map((_, i) => i * 4))
    expect(await sharp(file).metadata()).toMatchObject({ pages: steps.length })
    // Training went on meanwhile, and stopped with a checkpoint when asked.
    expect(trained.code).toBe(0)
    const grids = fs.readdirSync(path.join(tiny.library, 'runs', trainingId, RUN_FILES.samples)).length
    expect(grids).toBeGreaterThanOrEqual(steps.length)
  })

  it('refuses a model imported from PyTorch with no grids, saying why, and plays a single step-0 grid when there is one', async () => {
    const source = tempDir('timelapse-mainpy')
    await saveMainPyNets(source, { size: 32, nz: 10, ngf: 8, ndf: 6, nc: 3 }, { steps: 2, samples: 2, initStd: 0.1 })
    const imported = await runCli(['import-model', source, '--library', library])
    expect(imported.code, imported.stderr).toBe(0)
    const importedId = String(imported.lines.at(-1)?.runId)
    const file = path.join(out, 'imported.mp4')
    const refused = await runCli(['export', 'timelapse', '--run', importedId, '--out', file, ...lib])
    expect(refused.code).toBe(1)
    expect((refused.lines.at(-1)?.error as { message: string }).message).toMatch(
      /has no sample grids to make a timelapse of: it was imported \(pytorch\) as a finished model, so it has no training history here/
    )
    expect(fs.readdirSync(out).filter((name) => name.startsWith('imported') || name.startsWith('.imported'))).toEqual([])

    // A grid of its step 0, as the export of its samples draws it: one frame, held; no losses to draw.
    const samples = path.join(library, 'runs', importedId, RUN_FILES.samples)
    fs.mkdirSync(samples, { recursive: true })
    const grid = await runCli([
      'export',
      'samples',
      '--run',
      importedId,
      '--count',
      '16',
      '--scale',
      '1',
      '--out',
      path.join(samples, sampleFileName(0)),
      ...lib
    ])
    expect(grid.code, grid.stderr).toBe(0)
    fs.rmSync(path.join(samples, `${sampleFileName(0)}.json`))
    const single = await runCli(['export', 'timelapse', '--run', importedId, '--hold', '1', '--out', file, ...lib])
    expect(single.code, single.stderr).toBe(0)
    expect(single.lines.at(-1)).toMatchObject({ grids: 1, frames: 11, firstStep: 0, lastStep: 0, losses: false })
    expect(probe(file)).toMatchObject({ codec: 'h264', frames: 11 })
  })
})
