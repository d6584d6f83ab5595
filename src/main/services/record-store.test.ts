import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Erasures } from './erasures'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-records-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

const params = (runId: string, name: string) => ({
  name,
  runId,
  step: 10,
  erase: { layer: 'g_relu2', channels: [3, 1] },
  maps: [
    { channel: 3, weight: 0.5 },
    { channel: 1, weight: 0.2 }
  ],
  fittedFrom: {
    samples: [
      { z: { kind: 'seed' as const, seed: 1, index: 0 }, boxes: [{ x0: 0, y0: 0, x1: 0.5, y1: 0.5 }] },
      { z: { kind: 'z' as const, z: new Float32Array([0.25, -0.5]) }, boxes: [] }
    ],
    settings: { layer: 'g_relu2', negatives: 'matched' as const, negativesPerPositive: 1, weightDecay: 1e-3, iterations: 400, seed: 0 }
  }
})

describe('library records (erasures, concepts)', () => {
  it('saves a record under an id made from its name, lists by run (newest first) and removes it', async () => {
    const erasures = new Erasures(path.join(root, 'a'))
    const glasses = await erasures.save(params('run-1', 'Glasses & frames'))
    await new Promise((resolve) => setTimeout(resolve, 5))
    const hats = await erasures.save(params('run-1', 'hats'))
    await erasures.save(params('run-2', 'windows'))
    expect(glasses.id).toMatch(/^glasses-frames-[0-9a-f]{6}$/)
    // What it was fitted from is kept as plain JSON (a z as numbers), with the counts the lists show.
    expect(glasses.boxes).toEqual({ samples: 2, boxes: 1 })
    expect(glasses.fittedFrom.samples[1]?.z).toEqual({ kind: 'z', z: [0.25, -0.5] })
    expect(
      (JSON.parse(fs.readFileSync(path.join(root, 'a', `${glasses.id}.json`), 'utf8')) as { fittedFrom: { settings: { negatives: string } } }).fittedFrom
        .settings.negatives
    ).toBe('matched')
    expect((await erasures.list('run-1')).map((e) => e.name)).toEqual(['hats', 'Glasses & frames'])
    expect(await erasures.list()).toHaveLength(3)
    expect(await erasures.get(glasses.id)).toEqual(glasses)
    await erasures.remove(hats.id)
    expect((await erasures.list('run-1')).map((e) => e.id)).toEqual([glasses.id])
    // A deleted run takes its records with it; other runs' stay.
    await erasures.removeRun('run-1')
    expect((await erasures.list()).map((e) => e.runId)).toEqual(['run-2'])
    // Nothing half-written is left beside the records.
    expect(fs.readdirSync(path.join(root, 'a')).every((f) => f.endsWith('.json'))).toBe(true)
  })

  it('names the file and the problem when a record is damaged, and skips it in lists', async () => {
    const dir = path.join(root, 'b')
    const erasures = new Erasures(dir)
    const good = await erasures.save(params('run-1', 'good'))
    fs.writeFileSync(path.join(dir, 'broken-000000.json'), '{ "formatVersion": 1,')
    fs.writeFileSync(path.join(dir, 'wrong-000000.json'), JSON.stringify({ ...good, id: 'wrong-000000', erase: { layer: 'd_conv1', channels: [] } }))
    await expect(erasures.get('broken-000000')).rejects.toThrow(/broken-000000\.json is not valid JSON/)
    await expect(erasures.get('wrong-000000')).rejects.toThrow(/wrong-000000\.json.*erase\.layer/s)
    await expect(erasures.get('../escape')).rejects.toThrow(/not an erasure id/)
    await expect(erasures.get('missing-000000')).rejects.toThrow(/There is no erasure at/)
    expect((await erasures.list()).map((e) => e.id)).toEqual([good.id])
  })
})
