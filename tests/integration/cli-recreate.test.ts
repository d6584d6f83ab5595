import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { trainedRunWithoutItsDataset } from '../support/recipe-run'

beforeAll(() => ensureBuilt(), 300_000)

// The command line shows the demo as the finished model it is, and resumes a run whose dataset left the library
// but is recorded as a recipe (as the demo's 12,000 faces are) only after making it again, when asked to.
describe('dcgan-studio runs and resume on a run without its dataset', () => {
  let library = ''
  let runId = ''
  let datasetId = ''
  let originalBytes: Buffer

  beforeAll(async () => {
    library = tempDir('cli-recreate')
    ;({ runId, datasetId, images: originalBytes } = await trainedRunWithoutItsDataset(library, 4))
  })

  it('lists the run with its dataset missing, and the demo of a fresh library as a finished model', async () => {
    const listed = await runCli(['runs', '--library', library])
    expect(listed.code).toBe(0)
    // (The library was empty when the first import opened it, so the demo is in it too.)
    expect(listed.lines.find((l) => l.id === runId)).toMatchObject({ status: 'completed', shown: 'completed', step: 4, datasetPresent: false })
    const fresh = await runCli(['runs', '--library', tempDir('cli-recreate-demo')])
    // Beside the faces demo, the paper's own SVHN DCGAN: a model imported from the authors' files, no history here.
    expect(fresh.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ shown: 'demo model · trained 5,500 steps', status: 'stopped', step: 5500, datasetPresent: false }),
        expect.objectContaining({ id: 'paper-svhn-dcgan', shown: 'imported · theano', step: 0, datasetPresent: false })
      ])
    )
    expect(fresh.lines).toHaveLength(2)
  })

  it('says how to make the dataset again instead of failing on it, and makes it again when asked', async () => {
    const refused = await runCli(['resume', runId, '--steps', '6', '--library', library])
    expect(refused.code).toBe(2)
    expect((refused.lines.at(-1)?.error as { message: string }).message).toMatch(
      new RegExp(`not in this library.*dcgan-studio resume ${runId} --recreate-dataset`)
    )
    expect(fs.existsSync(path.join(library, 'datasets', datasetId))).toBe(false)

    const resumed = await runCli(['resume', runId, '--steps', '6', '--recreate-dataset', '--library', library])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.lines.some((l) => l.event === 'progress')).toBe(true)
    expect(resumed.lines.find((l) => l.event === 'recreated')).toMatchObject({ runId, datasetId, count: 24 })
    expect(resumed.lines.at(-1)).toMatchObject({ event: 'done', runId, status: 'completed', step: 6 })
    // The same faces, byte for byte, under the id the run records.
    expect(fs.readFileSync(path.join(library, 'datasets', datasetId, 'images.u8')).equals(originalBytes)).toBe(true)
  })
})
