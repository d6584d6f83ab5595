import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { FacesLabelsFile } from '../../src/shared/faces'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'

// The built CLI end to end: draw a labelled face set, then import the folder like any other folder of images.

beforeAll(() => ensureBuilt(), 300_000)

describe('dcgan-studio make-faces', () => {
  const work = tempDir('faces-cli')
  const out = path.join(work, 'faces')

  it('writes N faces and labels.json, reporting progress', async () => {
    const result = await runCli(['make-faces', '--count', '24', '--size', '32', '--seed', '5', '--out', out])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.lines.at(-1)).toMatchObject({ event: 'done', out, count: 24, size: 32, seed: 5, labels: path.join(out, 'labels.json') })
    expect(result.lines.filter((l) => l.event === 'progress').at(-1)).toEqual({ event: 'progress', done: 24, total: 24 })
    const files = fs.readdirSync(out).sort()
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(24)
    expect(files).toContain('labels.json')
    const labels = FacesLabelsFile.parse(JSON.parse(fs.readFileSync(path.join(out, 'labels.json'), 'utf8')))
    expect(labels.faces.map((f) => f.file)).toEqual(files.filter((f) => f.endsWith('.png')))
  })

  it('draws the same bytes again from the same seed', async () => {
    const again = path.join(work, 'again')
    expect((await runCli(['make-faces', '--count', '3', '--size', '32', '--seed', '5', '--out', again])).code).toBe(0)
    for (const file of ['face-000000.png', 'face-000002.png']) {
      expect(fs.readFileSync(path.join(again, file))).toEqual(fs.readFileSync(path.join(out, file)))
    }
  })

  it('is imported as a dataset, labels.json listed as skipped for not being an image', async () => {
    const library = tempDir('faces-library')
    const result = await runCli(['import', out, '--size', '32', '--name', 'faces', '--library', library])
    expect(result.code).toBe(0)
    const done = result.lines.at(-1) as { event: string; count: number; channels: number; skipped: { path: string; reason: string }[] }
    expect(done).toMatchObject({ event: 'done', count: 24, channels: 3 })
    expect(done.skipped).toEqual([{ path: 'labels.json', reason: expect.stringMatching(/^not an image/) }])
  })

  it('refuses a folder that already holds files, with a usage message', async () => {
    const result = await runCli(['make-faces', '--count', '2', '--out', out])
    expect(result.code).toBe(1)
    expect(result.lines.at(-1)).toMatchObject({ error: { code: 'bad_request', message: expect.stringMatching(/already holds 25 item/) } })
    const missing = await runCli(['make-faces', '--out', path.join(work, 'x')])
    expect(missing.code).toBe(2)
    expect(missing.lines.at(-1)).toMatchObject({ error: { code: 'usage', message: expect.stringMatching(/--count/) } })
  })
})
