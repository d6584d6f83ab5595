import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../shared/formats/run'
import { RunStore } from './run-store'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-run-store-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

describe("a run's favourites", () => {
  const store = new RunStore(root)
  const runDir = path.join(root, 'faces-abc123')

  it('are kept in the run folder, in the order starred, and read back', async () => {
    fs.mkdirSync(runDir, { recursive: true })
    // Only run.json's presence matters here: favourites are refused for a run that is not there.
    await expect(store.writeFavourites('faces-abc123', [])).rejects.toThrow(/faces-abc123/)
    fs.cpSync(path.resolve('resources/demo/runs/procedural-faces-demo-dbd50b/run.json'), path.join(runDir, 'run.json'))
    const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as Record<string, unknown>
    fs.writeFileSync(path.join(runDir, 'run.json'), JSON.stringify({ ...record, id: 'faces-abc123' }))
    expect(await store.favourites('faces-abc123')).toEqual([])
    const samples = [
      { seed: 7, index: 3, z: [0.5, -0.25] },
      { seed: null, index: 0, z: [0.125, 1] }
    ]
    await store.writeFavourites('faces-abc123', samples)
    expect(await store.favourites('faces-abc123')).toEqual(samples)
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'favourites.json'), 'utf8'))).toEqual({ formatVersion: 1, samples })
  })

  it('name the file when it is damaged, and refuse ids that are not run ids', async () => {
    fs.writeFileSync(path.join(runDir, 'favourites.json'), JSON.stringify({ formatVersion: 1, samples: [{ seed: -1, index: 0, z: [] }] }))
    await expect(store.favourites('faces-abc123')).rejects.toThrow(/favourites\.json/)
    await expect(store.favourites('../escape')).rejects.toThrow(/not a run id/)
  })
})

describe("a run's record", () => {
  const store = new RunStore(root)
  const demo = JSON.parse(fs.readFileSync(path.resolve('resources/demo/runs/procedural-faces-demo-dbd50b/run.json'), 'utf8')) as RunRecord
  const running = (id: string): RunRecord => ({ ...demo, id, status: 'running', statusMessage: 'Training.', warnings: [] })
  const onDisk = (id: string): RunRecord => JSON.parse(fs.readFileSync(path.join(root, id, 'run.json'), 'utf8')) as RunRecord
  const warning = (step: number) => ({ step, code: 'd-loss-near-zero', message: `warning at step ${step}` })

  it('is changed one update at a time: a slow update started first cannot put back the status a later one set', async () => {
    await store.create(running('queued-run-000001'))
    // A trainer warning whose update is slow (a busy disk), then the final status, asked while the warning is
    // still being applied: the final save must see the warning, and the warning must not undo the status.
    let release = (): void => undefined
    const slow = new Promise<void>((resolve) => (release = resolve))
    const warned = store.update('queued-run-000001', async (record) => {
      await slow
      return { ...record, warnings: [...record.warnings, warning(7)] }
    })
    const seenByFinal: RunRecord[] = []
    const completed = store.update('queued-run-000001', (record) => {
      seenByFinal.push(record)
      return { ...record, status: 'completed', statusMessage: 'Trained to step 10.' }
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    release()
    await Promise.all([warned, completed])
    expect(seenByFinal[0]?.warnings).toEqual([warning(7)])
    expect(onDisk('queued-run-000001')).toMatchObject({ status: 'completed', statusMessage: 'Trained to step 10.', warnings: [warning(7)] })
  })

  it('keeps every one of many concurrent updates, in the order they were asked', async () => {
    await store.create(running('queued-run-000002'))
    const steps = Array.from({ length: 20 }, (_, i) => i)
    const saved = await Promise.all(
      steps.map((step) => store.update('queued-run-000002', (record) => ({ ...record, warnings: [...record.warnings, warning(step)] })))
    )
    expect(onDisk('queued-run-000002').warnings).toEqual(steps.map(warning))
    // Each update resolves with what it wrote, and the next one wrote on top of it.
    expect(saved.map((record) => record?.warnings.length)).toEqual(steps.map((i) => i + 1))
    // An update that changes nothing writes nothing, and a failed update does not stop the ones after it.
    expect(await store.update('queued-run-000002', () => null)).toBeNull()
    const failed = store.update('queued-run-000002', () => {
      throw new Error('not this one')
    })
    const after = store.update('queued-run-000002', (record) => ({ ...record, status: 'stopped' }))
    await expect(failed).rejects.toThrow('not this one')
    expect((await after)?.status).toBe('stopped')
  })

  it('is not brought back by an update queued before the run was deleted, nor changed after it', async () => {
    await store.create(running('queued-run-000003'))
    let release = (): void => undefined
    const slow = new Promise<void>((resolve) => (release = resolve))
    const late = store.update('queued-run-000003', async (record) => {
      await slow
      return { ...record, warnings: [warning(3)] }
    })
    const removed = store.remove('queued-run-000003')
    release()
    await Promise.all([late, removed])
    expect(fs.existsSync(path.join(root, 'queued-run-000003'))).toBe(false)
    await expect(store.update('queued-run-000003', (record) => record)).rejects.toThrow(/There is no run queued-run-000003/)
    expect(fs.existsSync(path.join(root, 'queued-run-000003'))).toBe(false)
  })
})
