import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { LatestCheckpoint, RunRecord, TrainEvent } from '../../src/shared/formats/run'
import { runCli } from '../support/cli'
import { tempDir, writeBadFiles, writeDiscImages } from '../support/fixtures'
import { ensureBuilt } from '../support/build'

// The real CLI from the build, the real engine processes and real files: import a folder with bad files in
// it, train a tiny model, kill it with SIGKILL mid-run, resume, and sample from the result.
const TINY = ['--width', '8', '--batch', '8', '--kernel', '4']

beforeAll(() => ensureBuilt(), 300_000)

describe('dcgan-studio import, train, resume, sample', () => {
  const library = tempDir('cli-library')
  const source = tempDir('cli-source')
  let datasetId = ''

  beforeAll(async () => {
    const files = await writeDiscImages(source, 24)
    await writeBadFiles(source, files[1] as string)
  })

  it('imports a folder, skipping bad files with reasons and reporting duplicates', async () => {
    const before = fs.readdirSync(source, { recursive: true }).length
    const result = await runCli(['import', source, '--size', '32', '--name', 'discs', '--library', library])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const done = result.lines.at(-1) as {
      event: string
      datasetId: string
      count: number
      summary: Record<string, number>
      skipped: { path: string; reason: string }[]
    }
    expect(done.event).toBe('done')
    expect(done.count).toBe(24)
    expect(done.summary).toMatchObject({ imported: 24, skipped: 3, duplicate: 1 })
    const reasons = Object.fromEntries(done.skipped.map((s) => [s.path, s.reason]))
    expect(reasons['truncated.jpg']).toMatch(/truncated|corrupt/)
    expect(reasons['notes.png']).toMatch(/not an image/)
    expect(reasons['empty.jpg']).toMatch(/zero-byte/)
    expect(reasons['zz-copy-of-disc-1.jpg']).toMatch(/duplicate of disc-1.jpg/)
    expect(result.lines.some((l) => l.event === 'progress')).toBe(true)
    expect(fs.readdirSync(source, { recursive: true }).length).toBe(before)
    datasetId = done.datasetId
  })

  it('trains a run with progress events, sample grids and checkpoints, ending with the run id', async () => {
    const result = await runCli([
      'train',
      '--dataset',
      datasetId,
      ...TINY,
      '--steps',
      '12',
      '--checkpoint-every',
      '4',
      '--sample-every',
      '4',
      '--library',
      library
    ])
    expect(result.code).toBe(0)
    const events = result.lines.filter((l) => l.event === 'train').map((l) => TrainEvent.parse(l))
    expect(events[0]).toMatchObject({ kind: 'started', step: 0, resumedFrom: null, batchSize: 8 })
    expect(events.filter((e) => e.kind === 'progress').map((e) => e.metrics.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(events.filter((e) => e.kind === 'checkpoint').map((e) => e.step)).toEqual([4, 8, 12])
    expect(events.filter((e) => e.kind === 'sample').length).toBeGreaterThanOrEqual(3)
    const done = result.lines.at(-1) as { event: string; runId: string; status: string; step: number }
    expect(done).toMatchObject({ event: 'done', status: 'completed', step: 12 })
    const runDir = path.join(library, 'runs', done.runId)
    expect(RunRecord.parse(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'))).status).toBe('completed')
    expect(LatestCheckpoint.parse(JSON.parse(fs.readFileSync(path.join(runDir, 'latest.json'), 'utf8'))).step).toBe(12)
  })

  it('resumes from the last complete checkpoint after the trainer is killed with SIGKILL', async () => {
    let runId = ''
    let killedAfter = 0
    const killed = await runCli(
      ['train', '--dataset', datasetId, ...TINY, '--steps', '400', '--checkpoint-every', '3', '--sample-every', '50', '--library', library],
      {
        onLine: (line, child) => {
          if (line.event === 'train' && line.kind === 'started') runId = (line as { runId: string }).runId
          // Kill in the middle of the run, a little after a checkpoint (so the next one may be half-written).
          if (line.event === 'train' && line.kind === 'checkpoint' && Number(line.step) >= 9 && killedAfter === 0) {
            killedAfter = Number(line.step)
            setTimeout(() => child.kill('SIGKILL'), 150)
          }
        }
      }
    )
    expect(killed.code).toBeNull()
    expect(killedAfter).toBeGreaterThanOrEqual(9)
    const runDir = path.join(library, 'runs', runId)
    const latest = LatestCheckpoint.parse(JSON.parse(fs.readFileSync(path.join(runDir, 'latest.json'), 'utf8')))
    expect(latest.step).toBeGreaterThanOrEqual(killedAfter)
    // The record's cost was brought up to date at each checkpoint, not only when a session ends.
    const killedCost = RunRecord.parse(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'))).cost
    expect(killedCost.steps).toBeGreaterThanOrEqual(6)
    expect(killedCost.steps).toBeLessThanOrEqual(latest.step)
    expect(killedCost.seconds).toBeGreaterThan(0)

    const resumed = await runCli(['resume', runId, '--steps', String(latest.step + 6), '--library', library])
    expect(resumed.code).toBe(0)
    const started = resumed.lines.find((l) => l.kind === 'started') as { step: number; resumedFrom: number }
    expect(started.resumedFrom).toBe(latest.step)
    expect(started.step).toBe(latest.step)
    expect(resumed.lines.at(-1)).toMatchObject({ event: 'done', status: 'completed', step: latest.step + 6 })
    const resumedCost = RunRecord.parse(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'))).cost
    expect(resumedCost.steps).toBe(latest.step + 6)
    expect(resumedCost.seconds).toBeGreaterThan(killedCost.seconds)

    const listed = await runCli(['runs', '--library', library])
    expect(listed.lines.find((l) => l.id === runId)).toMatchObject({ status: 'completed', step: latest.step + 6 })
  })

  it('samples a grid from a checkpoint, the same for the same seed', async () => {
    const runs = await runCli(['runs', '--library', library])
    const runId = String(runs.lines[0]?.id)
    const out = tempDir('cli-sample')
    const a = await runCli(['sample', '--run', runId, '--count', '16', '--seed', '5', '--out', path.join(out, 'a.png'), '--library', library])
    const b = await runCli(['sample', '--run', runId, '--count', '16', '--seed', '5', '--out', path.join(out, 'b.png'), '--library', library])
    expect(a.code).toBe(0)
    expect(b.code).toBe(0)
    const meta = await sharp(path.join(out, 'a.png')).metadata()
    expect(meta.width).toBe(4 * 32 + 3 * 2)
    expect(meta.height).toBe(4 * 32 + 3 * 2)
    expect(fs.readFileSync(path.join(out, 'a.png')).equals(fs.readFileSync(path.join(out, 'b.png')))).toBe(true)
    const missing = await runCli(['sample', '--run', 'no-such-run', '--out', path.join(out, 'c.png'), '--library', library])
    expect(missing.code).toBe(1)
    expect((missing.lines.at(-1) as { error: { message: string } }).error.message).toMatch(/no run no-such-run/i)
  })
})
