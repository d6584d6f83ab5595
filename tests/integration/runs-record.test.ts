import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord, RunStatus, TrainEvent } from '../../src/shared/formats/run'
import { launchNodeEngine } from '../../src/main/services/engine-process'
import { applyTrainEvent } from '../../src/main/services/runs'
import { Studio } from '../../src/main/services/studio'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir, writeDiscImages } from '../support/fixtures'

beforeAll(() => ensureBuilt(), 300_000)

// run.json has one writer: trainer events and the final status are applied to it one at a time, in order
// (RunStore.update; src/main/services/run-store.test.ts reproduces the race it closes with a slow update).
describe("a training run's record", () => {
  const library = tempDir('runs-record')
  let studio: Studio
  let datasetId = ''

  beforeAll(async () => {
    const source = tempDir('runs-record-images')
    // Four images, batch size eight: the trainer warns about the small dataset as it starts.
    await writeDiscImages(source, 4, 3)
    const imported = await runCli(['import', source, '--size', '32', '--library', library])
    expect(imported.code).toBe(0)
    datasetId = String(imported.lines.at(-1)?.datasetId)
    studio = await Studio.open({ libraryRoot: library, launcher: launchNodeEngine, backend: 'wasm' })
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('follows the trainer in order through pause and resume, keeps its warning, and ends on the final status', async () => {
    const run = await studio.runs.create({
      datasetId,
      model: { genWidth: 8, discWidth: 8 },
      train: { batchSize: 8, steps: 12, checkpointEvery: 12, sampleEvery: 12, sampleCount: 4 }
    })
    const saved: RunRecord[] = []
    const events: TrainEvent[] = []
    let paused = false
    let resumed = false
    let statusWhilePaused: RunStatus | null = null
    const unsubscribe = studio.events.subscribe((name, payload) => {
      if (name === 'runs.changed' && (payload as RunRecord).id === run.id) saved.push(payload as RunRecord)
      if (name !== 'runs.event' || (payload as { runId: string }).runId !== run.id) return
      const event = (payload as { event: TrainEvent }).event
      events.push(event)
      if (event.kind === 'progress' && !paused) {
        paused = true
        void studio.runs.pause(run.id)
      }
      if (event.kind === 'paused' && !resumed) {
        resumed = true
        // Resumed once the paused status is written: an update that changes nothing waits for those before it.
        void studio.runs.store
          .update(run.id, () => null)
          .then(async () => {
            statusWhilePaused = (await studio.runs.store.read(run.id)).status
          })
          .finally(() => studio.runs.resume(run.id))
      }
    })
    try {
      await studio.runs.start(run.id)
      await studio.runs.waitUntilFinished(run.id)
    } finally {
      unsubscribe()
    }
    expect(statusWhilePaused).toBe('paused')
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['started', 'warning', 'paused', 'resumed', 'finished']))
    const record = await studio.runs.store.read(run.id)
    expect(record).toMatchObject({ status: 'completed', cost: { steps: 12, backend: 'wasm' } })
    expect(record.warnings).toEqual([expect.objectContaining({ code: 'small-dataset', step: 0 })])
    // What the front ends were told, write by write: each write built on the one before it (warnings never go
    // missing again), the statuses in the trainer's order, and the final status last.
    const statuses = saved.map((r) => r.status).filter((status, i, all) => status !== all[i - 1])
    expect(statuses).toEqual<RunStatus[]>(['running', 'paused', 'running', 'completed'])
    const firstWarned = saved.findIndex((r) => r.warnings.length === 1)
    expect(firstWarned).toBeGreaterThanOrEqual(0)
    expect(saved.slice(firstWarned).every((r) => r.warnings.length === 1)).toBe(true)
    expect(saved.at(-1)).toEqual(record)
    expect(JSON.parse(fs.readFileSync(path.join(library, 'runs', run.id, 'run.json'), 'utf8'))).toEqual(record)
  })

  it('lets no trainer event change the status once the session has ended', () => {
    const demo = JSON.parse(fs.readFileSync(path.resolve('resources/demo/runs/procedural-faces-demo-dbd50b/run.json'), 'utf8')) as RunRecord
    const completed: RunRecord = { ...demo, status: 'completed', statusMessage: 'Trained to step 40.', warnings: [] }
    expect(applyTrainEvent(completed, { kind: 'paused', step: 40 }, false, 40)).toBeNull()
    expect(applyTrainEvent(completed, { kind: 'resumed', step: 40 }, false, 40)).toBeNull()
    const warned = applyTrainEvent(completed, { kind: 'warning', step: 40, code: 'diversity-collapse', message: 'late' }, false, 40)
    expect(warned).toMatchObject({
      status: 'completed',
      statusMessage: 'Trained to step 40.',
      warnings: [{ step: 40, code: 'diversity-collapse', message: 'late' }]
    })
    // While the session is live, pause and resume are what the status says.
    expect(applyTrainEvent({ ...completed, status: 'running' }, { kind: 'paused', step: 12 }, true, 40)).toMatchObject({
      status: 'paused',
      statusMessage: 'Paused at step 12.'
    })
  })
})
