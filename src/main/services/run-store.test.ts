import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
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
