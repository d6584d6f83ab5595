import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExportRecord, ExportSamplesParams, ExportVectorsParams, ExportWalkParams } from '../../src/shared/api/export'
import type { Job } from '../../src/shared/api/jobs'
import { launchNodeEngine } from '../../src/main/services/engine-process'
import { Studio } from '../../src/main/services/studio'
import { ensureBuilt } from '../support/build'
import { tempDir } from '../support/fixtures'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

const read = (file: string): string => fs.readFileSync(file, 'utf8')
const recordOf = (file: string): ExportRecord => ExportRecord.parse(JSON.parse(read(file)))

async function failure(work: Promise<unknown>): Promise<string> {
  try {
    await work
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
  throw new Error('expected the export to fail')
}

// Exports through the studio's own export service, with a model trained here by the real engine and the bundled
// ffmpeg. What an export finds at its destination when it commits is what counts, not what was there when it
// started: a walk is a job, and while it reports its frames (jobs.changed) the destination is changed, as
// another program could.
describe('what an export leaves at its destination', () => {
  let studio: Studio
  let runId = ''

  beforeAll(async () => {
    const { library, runId: id } = await trainTinyRun({ images: 16, seed: 5, steps: 4, batch: 8 })
    runId = id
    studio = await Studio.open({ libraryRoot: library, launcher: launchNodeEngine, backend: 'wasm' })
  })

  afterAll(async () => {
    await studio?.close()
  })

  /** A short walk export; `whileRunning` runs once, when the job reports its first frames. */
  async function walk(out: string, options: { overwrite: boolean; format?: 'mp4' | 'png'; whileRunning?: () => void }): Promise<{ done: Promise<unknown> }> {
    let changed = false
    const unsubscribe = studio.events.subscribe((name, payload) => {
      const job = payload as Job
      if (name !== 'jobs.changed' || job.kind !== 'export' || changed || !/^Frame \d+ of \d+$/.test(job.message)) return
      changed = true
      options.whileRunning?.()
    })
    const params = ExportWalkParams.parse({
      run: { id: runId },
      walks: [
        [
          { kind: 'seed', seed: 1 },
          { kind: 'seed', seed: 2 }
        ]
      ],
      timing: { kind: 'frames-per-segment', frames: 4 },
      size: 32,
      format: options.format ?? 'mp4',
      out,
      overwrite: options.overwrite
    })
    const { done } = await studio.exports.startWalk(params)
    const settled = done.finally(() => {
      unsubscribe()
      if (options.whileRunning) expect(changed).toBe(true)
    })
    settled.catch(() => undefined)
    return { done: settled }
  }

  it('refuses a video file that appeared while the export ran, and leaves that file as it is', async () => {
    const dir = tempDir('commit-walk')
    const file = path.join(dir, 'walk.mp4')
    const message = await failure((await walk(file, { overwrite: false, whileRunning: () => fs.writeFileSync(file, 'made meanwhile') })).done)
    expect(message).toBe(`${file} already exists; tick "replace" or choose another name. Nothing was written.`)
    expect(read(file)).toBe('made meanwhile')
    expect(fs.readdirSync(dir)).toEqual(['walk.mp4'])
  })

  it('refuses a record that appeared while the export ran, and then writes no video either', async () => {
    const dir = tempDir('commit-walk')
    const file = path.join(dir, 'walk.mp4')
    const message = await failure((await walk(file, { overwrite: false, whileRunning: () => fs.writeFileSync(`${file}.json`, 'notes of mine') })).done)
    expect(message).toContain(`${file}.json already exists; tick "replace" or choose another name.`)
    expect(read(`${file}.json`)).toBe('notes of mine')
    expect(fs.readdirSync(dir)).toEqual(['walk.mp4.json'])
  })

  it('refuses a folder of frames that was filled while the export ran', async () => {
    const dir = tempDir('commit-walk')
    const frames = path.join(dir, 'frames')
    const message = await failure(
      (
        await walk(frames, {
          overwrite: false,
          format: 'png',
          whileRunning: () => {
            fs.mkdirSync(frames)
            fs.writeFileSync(path.join(frames, 'notes.txt'), 'mine')
          }
        })
      ).done
    )
    expect(message).toContain(`The folder ${frames} already holds other files.`)
    expect(fs.readdirSync(frames)).toEqual(['notes.txt'])
    expect(fs.readdirSync(dir)).toEqual(['frames'])
  })

  it('keeps the earlier video when its record cannot be written, and replaces both when it can', async () => {
    const dir = tempDir('commit-walk')
    const file = path.join(dir, 'walk.mp4')
    await (
      await walk(file, { overwrite: false })
    ).done
    const earlier = fs.readFileSync(file)
    const earlierRecord = recordOf(`${file}.json`)
    // The record's name turns into a folder while the new export runs: the new video must not stay either.
    const message = await failure(
      (
        await walk(file, {
          overwrite: true,
          whileRunning: () => {
            fs.rmSync(`${file}.json`)
            fs.mkdirSync(`${file}.json`)
          }
        })
      ).done
    )
    expect(message).toBe(
      `${file}.json is a folder, so the record of walk.mp4 cannot be written there. Move the folder or choose another name. Nothing was written; the earlier walk.mp4 is as it was.`
    )
    expect(fs.readFileSync(file).equals(earlier)).toBe(true)
    expect(fs.readdirSync(dir).sort()).toEqual(['walk.mp4', 'walk.mp4.json'])

    fs.rmdirSync(`${file}.json`)
    fs.writeFileSync(`${file}.json`, JSON.stringify(earlierRecord))
    await (
      await walk(file, { overwrite: true })
    ).done
    expect(recordOf(`${file}.json`).createdAt).not.toBe(earlierRecord.createdAt)
    expect(fs.readdirSync(dir).sort()).toEqual(['walk.mp4', 'walk.mp4.json'])
  })

  it('saves a figure only where its record may go too, and replaces both when asked', async () => {
    const dir = tempDir('commit-figure')
    const file = path.join(dir, 'grid.png')
    const samples = (overwrite: boolean) =>
      studio.exports.samples(ExportSamplesParams.parse({ run: { id: runId }, seed: 3, count: 4, scale: 1, out: file, overwrite }))
    // Someone's notes under the record's name: not replaced without asking, and no figure without its record.
    fs.writeFileSync(`${file}.json`, 'notes of mine')
    expect(await failure(samples(false))).toBe(`${file}.json, where the record of grid.png goes, already exists; tick "replace" or choose another name.`)
    expect(fs.readdirSync(dir)).toEqual(['grid.png.json'])
    expect(read(`${file}.json`)).toBe('notes of mine')

    const written = await samples(true)
    expect(written).toMatchObject({ file, sidecar: `${file}.json`, width: 2 * 32 + 2, height: 2 * 32 + 2 })
    expect(recordOf(`${file}.json`).request).toMatchObject({ seed: 3, count: 4 })
    const earlier = fs.readFileSync(file)

    // The record's name is a folder: the earlier figure stays as it is, and nothing else is left behind.
    fs.rmSync(`${file}.json`)
    fs.mkdirSync(`${file}.json`)
    expect(await failure(samples(true))).toBe(`${file}.json, where the record of grid.png goes, is a folder. Move the folder or choose another name.`)
    expect(fs.readFileSync(file).equals(earlier)).toBe(true)
    expect(fs.readdirSync(dir).sort()).toEqual(['grid.png', 'grid.png.json'])
  })

  it('writes z vectors as JSON only over a file it was allowed to replace', async () => {
    const dir = tempDir('commit-vectors')
    const file = path.join(dir, 'z.json')
    fs.writeFileSync(file, 'mine')
    const vectors = (overwrite: boolean) =>
      studio.exports.vectors(ExportVectorsParams.parse({ run: { id: runId }, z: [{ kind: 'seed', seed: 1 }], out: file, overwrite }))
    expect(await failure(vectors(false))).toBe(`${file} already exists; tick "replace" or choose another name.`)
    expect(read(file)).toBe('mine')
    await vectors(true)
    expect(JSON.parse(read(file))).toMatchObject({ kind: 'dcgan-studio-vectors', zDim: 100 })
    expect(fs.readdirSync(dir)).toEqual(['z.json'])
  })
})
