import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CanvasResult } from '../../src/shared/api/canvas'
import type { CallOutcome } from '../../src/shared/api/contract'
import type { RenderedSamples } from '../../src/shared/api/explore'
import { ExportedFile, ExportRecord } from '../../src/shared/api/export'
import { type Job, isFinished } from '../../src/shared/api/jobs'
import { launchNodeEngine } from '../../src/main/services/engine-process'
import { Studio } from '../../src/main/services/studio'
import { ensureBuilt } from '../support/build'
import { tempDir } from '../support/fixtures'

beforeAll(() => ensureBuilt(), 300_000)

const DEMO = 'procedural-faces-demo-dbd50b'

// explore.canvas and export.canvas through the Studio API, as the Big canvas tab calls them, on the demo model:
// the 1×1 canvas is the seed's sample, the newest request on a channel wins, the export is a job with progress
// that can be cancelled (leaving nothing behind), the explorer's tensor count stays flat, and a canvas too
// large is refused before any work.
describe('big canvases through the Studio API', () => {
  let studio: Studio
  const out = tempDir('canvas-api-out')

  async function call<T>(method: string, params: unknown): Promise<T> {
    const outcome: CallOutcome = await studio.call(method, params)
    if (!outcome.ok) throw Object.assign(new Error(`${method}: ${outcome.error.message}`), { code: outcome.error.code })
    return outcome.result as T
  }

  /** Starts an export job and follows it to its end, keeping every state it reported. */
  async function exportJob(params: unknown, cancel = false): Promise<Job[]> {
    const seen: Job[] = []
    let id = ''
    const finished = new Promise<void>((resolve) => {
      const off = studio.events.subscribe((event, payload) => {
        if (event !== 'jobs.changed') return
        const job = payload as Job
        if (job.id !== id) return
        seen.push(job)
        if (isFinished(job.state)) {
          off()
          resolve()
        }
      })
    })
    const job = await call<Job>('export.canvas', params)
    id = job.id
    if (cancel) await call('jobs.cancel', { id })
    await finished
    return seen
  }

  beforeAll(async () => {
    studio = await Studio.open({ libraryRoot: tempDir('canvas-api-library'), launcher: launchNodeEngine })
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('a 1×1 canvas with the model statistics is the seed’s first sample', async () => {
    const one = await call<CanvasResult>('explore.canvas', { run: { id: DEMO }, columns: 1, rows: 1, seed: 5, statistics: 'model' })
    const own = await call<RenderedSamples>('explore.render', { run: { id: DEMO }, z: [{ kind: 'seed', seed: 5, index: 0 }] })
    expect(one).toMatchObject({ columns: 1, rows: 1, cell: 8, step: 5500 })
    expect(Buffer.from(one.image.data).equals(Buffer.from(own.samples[0]?.image.data ?? []))).toBe(true)
  })

  it('answers an older request on the same channel "superseded" when a newer one replaces it', async () => {
    const ask = (columns: number) => call<CanvasResult>('explore.canvas', { run: { id: DEMO }, columns, rows: 2, channel: 'test' })
    const outcomes = await Promise.allSettled([ask(2), ask(3), ask(4)])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'superseded' })
    expect((outcomes[2] as PromiseFulfilledResult<CanvasResult>).value.image.width).toBe((4 + 3) * 8)
  })

  it('exports as a job with progress, writing the PNG and its record', async () => {
    const file = path.join(out, 'job.png')
    const states = await exportJob({ run: { id: DEMO }, columns: 8, rows: 4, seed: 3, tile: true, scale: 2, out: file })
    const last = states.at(-1) as Job
    expect(last.state).toBe('done')
    expect(states.some((s) => s.state === 'running' && s.progress !== null && s.progress > 0 && s.progress < 1)).toBe(true)
    expect(ExportedFile.parse(last.result)).toMatchObject({ file, width: 8 * 8 * 2, height: 4 * 8 * 2 })
    const record = ExportRecord.parse(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')))
    expect(record).toMatchObject({ operation: 'canvas', run: { id: DEMO, checkpointStep: 5500 }, output: { columns: 8, rows: 4, tile: true, cellPixels: 8 } })
  })

  it('a cancelled export leaves nothing under the chosen name', async () => {
    const file = path.join(out, 'cancelled.png')
    const states = await exportJob({ run: { id: DEMO }, columns: 64, rows: 40, seed: 1, scale: 1, out: file }, true)
    expect(states.at(-1)?.state).toBe('cancelled')
    expect(fs.readdirSync(out).filter((name) => name.startsWith('cancelled') || name.includes('.tmp'))).toEqual([])
  })

  it('keeps the explorer’s tensor count flat across canvases and exports', async () => {
    await call('explore.canvas', { run: { id: DEMO }, columns: 3, rows: 3 })
    const before = await studio.explorer.request('memory', {})
    for (const tile of [false, true]) {
      await call('explore.canvas', { run: { id: DEMO }, columns: 5, rows: 4, tile })
      await exportJob({ run: { id: DEMO }, columns: 3, rows: 2, tile, scale: 1, out: path.join(out, `flat-${String(tile)}.png`) })
    }
    expect((await studio.explorer.request('memory', {})).numTensors).toBe(before.numTensors)
  })

  it('refuses a grid too large before any work, saying what is wrong', async () => {
    await expect(call('explore.canvas', { run: { id: DEMO }, columns: 65, rows: 2 })).rejects.toThrow(/columns.*64/s)
    const jobs = (await call<Job[]>('jobs.list', {})).length
    await expect(call('export.canvas', { run: { id: DEMO }, columns: 2, rows: 65, scale: 1, out: path.join(out, 'big.png') })).rejects.toThrow(/rows.*64/s)
    expect((await call<Job[]>('jobs.list', {})).length).toBe(jobs)
  })
})
