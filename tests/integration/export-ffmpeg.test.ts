import * as fs from 'node:fs'
import * as path from 'node:path'
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg'
import { describe, expect, it } from 'vitest'
import { StudioError } from '../../src/shared/api/errors'
import { rawInput } from '../../src/main/services/export/encoder-args'
import { type Ffmpeg, runFfmpeg } from '../../src/main/services/export/ffmpeg-process'
import { PendingOutput } from '../../src/main/services/export/output-path'
import { tempDir } from '../support/fixtures'

// The ffmpeg side of exports with the real bundled ffmpeg: how its failures reach the user, and that a
// stopped export leaves no file behind.
const ffmpeg: Ffmpeg = { path: process.env.FFMPEG_PATH ?? ffmpegInstaller.path, version: 'bundled' }
const geometry = { inputWidth: 8, inputHeight: 8, outputWidth: 16, outputHeight: 16, fps: 10, upscale: 'nearest' } as const
const frame = new Uint8Array(8 * 8 * 4).fill(200)

async function failure(work: () => Promise<unknown>): Promise<StudioError> {
  try {
    await work()
  } catch (err) {
    if (err instanceof StudioError) return err
    throw err
  }
  throw new Error('expected a failure')
}

describe('ffmpeg for exports', () => {
  it("fails with ffmpeg's own last words when it cannot encode", async () => {
    const output = await PendingOutput.prepare(path.join(tempDir('export-ffmpeg'), 'broken.mp4'), 'file', false)
    const run = runFfmpeg(ffmpeg, [...rawInput(geometry), '-c:v', 'no-such-encoder', '-f', 'mp4', '-y', output.temp], { what: 'the MP4', stdin: true })
    const error = await failure(async () => {
      for (let i = 0; i < 200; i++) await run.write(frame)
      await run.finish()
    })
    expect(error.code).toBe('io_error')
    expect(error.message).toMatch(/^ffmpeg failed with exit code \d+ while writing the MP4: .*no-such-encoder/)
    expect((error.details as { stderr: string[] }).stderr.length).toBeGreaterThan(0)
    await output.discard()
    expect(fs.readdirSync(path.dirname(output.final))).toEqual([])
  })

  it('reports a stopped ffmpeg as cancelled, and the discarded output leaves nothing under its name', async () => {
    const output = await PendingOutput.prepare(path.join(tempDir('export-ffmpeg'), 'stopped.mp4'), 'file', false)
    const run = runFfmpeg(ffmpeg, [...rawInput(geometry), '-c:v', 'libx264', '-f', 'mp4', '-y', output.temp], { what: 'the MP4', stdin: true })
    for (let i = 0; i < 5; i++) await run.write(frame)
    run.kill()
    const error = await failure(() => run.finish())
    expect(error.code).toBe('cancelled')
    await output.discard()
    expect(fs.readdirSync(path.dirname(output.final))).toEqual([])
  })

  it('refuses to replace a file unless asked, and replaces it atomically when asked', async () => {
    const dir = tempDir('export-ffmpeg')
    const file = path.join(dir, 'walk.mp4')
    fs.writeFileSync(file, 'an earlier export')
    await expect(PendingOutput.prepare(file, 'file', false)).rejects.toThrow(/already exists/)
    const output = await PendingOutput.prepare(file, 'file', true)
    fs.writeFileSync(output.temp, 'the new export')
    expect(fs.readFileSync(file, 'utf8')).toBe('an earlier export')
    await output.commit()
    expect(fs.readFileSync(file, 'utf8')).toBe('the new export')
    expect(fs.readdirSync(dir)).toEqual(['walk.mp4'])
  })
})
