import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallOutcome } from '../../src/shared/api/contract'
import type { RenderedSamples } from '../../src/shared/api/explore'
import type { GridResult } from '../../src/shared/api/grid'
import { launchNodeEngine } from '../../src/main/services/engine-process'
import { Studio } from '../../src/main/services/studio'
import { ensureBuilt } from '../support/build'
import { tempDir } from '../support/fixtures'

beforeAll(() => ensureBuilt(), 300_000)

const DEMO = 'procedural-faces-demo-dbd50b'
const corners = [1, 2, 3, 4].map((seed) => ({ kind: 'seed' as const, seed, index: 0 }))

// explore.grid and export.grid through the Studio API, as the Latent grid tab calls them, on the demo model:
// the corner cells are the seeds' own samples, the newest request on a channel wins, the explorer's tensor
// count stays flat, and bad requests are answered with what is wrong.
describe('latent grids through the Studio API', () => {
  let studio: Studio

  async function call<T>(method: string, params: unknown): Promise<T> {
    const outcome: CallOutcome = await studio.call(method, params)
    if (!outcome.ok) throw Object.assign(new Error(`${method}: ${outcome.error.message}`), { code: outcome.error.code })
    return outcome.result as T
  }

  beforeAll(async () => {
    studio = await Studio.open({ libraryRoot: tempDir('grid-api-library'), launcher: launchNodeEngine })
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('renders the grid row by row with the corner samples in its corners', async () => {
    const grid = await call<GridResult>('explore.grid', { run: { id: DEMO }, corners, columns: 4, rows: 3, mode: 'slerp' })
    expect(grid).toMatchObject({ columns: 4, rows: 3 })
    expect(grid.cells).toHaveLength(12)
    const own = await call<RenderedSamples>('explore.render', { run: { id: DEMO }, z: corners })
    for (const [i, cell] of [0, 3, 8, 11].entries()) {
      const sample = own.samples[i]
      expect(Array.from(grid.cells[cell]?.z ?? [])).toEqual(Array.from(sample?.z ?? []))
      expect(Buffer.from(grid.cells[cell]?.image.data ?? []).equals(Buffer.from(sample?.image.data ?? [])), `corner ${i + 1}`).toBe(true)
    }
  })

  it('answers an older request on the same channel "superseded" when a newer one replaces it', async () => {
    const ask = (columns: number) => call<GridResult>('explore.grid', { run: { id: DEMO }, corners, columns, rows: 2, channel: 'test' })
    const outcomes = await Promise.allSettled([ask(2), ask(3), ask(4)])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'superseded' })
    expect((outcomes[2] as PromiseFulfilledResult<GridResult>).value.columns).toBe(4)
  })

  it('keeps the explorer’s tensor count flat across grids and grid figures', async () => {
    const out = tempDir('grid-api-out')
    await call('explore.grid', { run: { id: DEMO }, corners, columns: 3, rows: 3 })
    const before = await studio.explorer.request('memory', {})
    for (const mode of ['lerp', 'slerp']) {
      await call('explore.grid', { run: { id: DEMO }, corners, columns: 5, rows: 4, mode })
      await call('export.grid', { run: { id: DEMO }, corners, columns: 3, rows: 2, mode, scale: 1, out: `${out}/grid-${mode}.png` })
    }
    expect((await studio.explorer.request('memory', {})).numTensors).toBe(before.numTensors)
  })

  it('says what is wrong with a bad request', async () => {
    await expect(call('explore.grid', { run: { id: DEMO }, corners: corners.slice(0, 3) })).rejects.toThrow(/four corners/)
    await expect(call('explore.grid', { run: { id: DEMO }, corners, columns: 17 })).rejects.toThrow(/at most 16 cells/)
    const short = [{ kind: 'z', z: new Float32Array(3) }, ...corners.slice(1)]
    await expect(call('explore.grid', { run: { id: DEMO }, corners: short })).rejects.toThrow(/has 3 numbers, but the model takes 100/)
  })
})
