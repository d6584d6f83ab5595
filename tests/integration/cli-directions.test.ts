import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { DirectionsReport } from '../../src/shared/api/directions'
import { ExportRecord } from '../../src/shared/api/export'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { importedPyTorchRun } from '../support/imported-model'

beforeAll(() => ensureBuilt(), 300_000)

const DEMO = 'procedural-faces-demo-dbd50b'

function readReport(file: string): DirectionsReport {
  return DirectionsReport.parse(JSON.parse(fs.readFileSync(file, 'utf8')))
}

// `dcgan-studio directions` on the demo model an empty library starts with, and on a model trained by PyTorch's
// main.py and imported: the directions as JSON, a strip figure with its record, kept and found again, --from.
describe('dcgan-studio directions', () => {
  const library = tempDir('cli-directions')
  const out = tempDir('cli-directions-out')

  it('finds the directions of the demo model, writes them and a strip, and keeps them in the run folder', async () => {
    const dirs = path.join(out, 'dirs.json')
    const strip = path.join(out, 'strip.png')
    const args = ['directions', '--run', DEMO, '--samples', '1000', '--top', '8', '--out', dirs, '--strip', strip, '--components', '1,2,4', '--steps', '5']
    const first = await runCli([...args, '--library', library])
    expect(first.code, first.stderr).toBe(0)
    expect(first.lines.some((l) => l.event === 'progress')).toBe(true)
    const report = readReport(dirs)
    expect(report.run).toMatchObject({ id: DEMO, checkpointStep: 5500 })
    expect(report.settings).toEqual({ layer: 'g_relu0', samples: 1000, top: 8, seed: 0 })
    expect(report.layerShape).toEqual([4, 4, 128])
    expect(report.components).toHaveLength(8)
    expect(report.components.every((c) => c.vector.length === 100)).toBe(true)
    const explained = report.components.map((c) => c.explained)
    expect([...explained].sort((a, b) => b - a)).toEqual(explained)
    expect(first.lines.at(-1)).toMatchObject({ event: 'done', layer: 'g_relu0', step: 5500, files: { directions: dirs, strip } })

    // 3 rows (components 1, 2 and 4) of 5 samples of 32 px, 2 px apart, at scale 4.
    const meta = await sharp(strip).metadata()
    expect([meta.width, meta.height]).toEqual([(5 * 32 + 4 * 2) * 4, (3 * 32 + 2 * 2) * 4])
    const record = ExportRecord.parse(JSON.parse(fs.readFileSync(`${strip}.json`, 'utf8')))
    expect(record.operation).toBe('directions')
    expect(record.run.checkpointStep).toBe(5500)
    expect(record.output.strengthsInSigma).toEqual([-3, -1.5, 0, 1.5, 3])

    // Kept in the run's folder: asking again gives the same file at once, not a new search.
    const kept = fs.readdirSync(path.join(library, 'runs', DEMO, 'directions'))
    expect(kept).toEqual(['00005500-g_relu0-n1000-k8-seed0.json'])
    const again = await runCli(['directions', '--run', DEMO, '--samples', '1000', '--top', '8', '--out', path.join(out, 'again.json'), '--library', library])
    expect(again.code, again.stderr).toBe(0)
    expect(again.lines.some((l) => l.event === 'progress')).toBe(false)
    expect(fs.readFileSync(path.join(out, 'again.json'), 'utf8')).toBe(fs.readFileSync(dirs, 'utf8'))

    // A kept file that no longer reads (cut short, edited) is not trusted: they are found again and kept anew.
    const keptFile = path.join(library, 'runs', DEMO, 'directions', kept[0] as string)
    fs.writeFileSync(keptFile, fs.readFileSync(keptFile, 'utf8').slice(0, 500))
    const redone = await runCli(['directions', '--run', DEMO, '--samples', '1000', '--top', '8', '--out', path.join(out, 'redone.json'), '--library', library])
    expect(redone.code, redone.stderr).toBe(0)
    expect(redone.lines.some((l) => l.event === 'progress')).toBe(true)
    expect(readReport(keptFile).components).toHaveLength(8)

    // The strip's record renders it again, exactly.
    const redo = path.join(out, 'redo.png')
    const from = await runCli(['directions', '--from', `${strip}.json`, '--strip', redo, '--library', library])
    expect(from.code, from.stderr).toBe(0)
    expect(fs.readFileSync(redo).equals(fs.readFileSync(strip))).toBe(true)
  })

  it('says which layers it can analyse, and that --from renders only what the record says', async () => {
    const bad = await runCli(['directions', '--run', DEMO, '--layer', 'g_tanh', '--samples', '200', '--out', path.join(out, 'x.json'), '--library', library])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr + JSON.stringify(bad.lines)).toMatch(/g_project, g_relu0, g_relu1, g_relu2/)
    const mixed = await runCli([
      'directions',
      '--from',
      path.join(out, 'strip.png.json'),
      '--strip',
      path.join(out, 'y.png'),
      '--top',
      '3',
      '--library',
      library
    ])
    expect(mixed.code).not.toBe(0)
    expect(mixed.stderr + JSON.stringify(mixed.lines)).toMatch(/--from renders exactly what the record says/)
    expect(fs.existsSync(path.join(out, 'x.json'))).toBe(false)
  })

  it('finds directions of a model trained by PyTorch main.py and imported', async () => {
    const runId = await importedPyTorchRun(library)
    const dirs = path.join(out, 'imported.json')
    const strip = path.join(out, 'imported.png')
    const result = await runCli(['directions', '--run', runId, '--samples', '300', '--top', '4', '--out', dirs, '--strip', strip, '--library', library])
    expect(result.code, result.stderr).toBe(0)
    const report = readReport(dirs)
    expect(report.run.checkpointStep).toBe(0)
    expect(report.zDim).toBe(16)
    expect(report.components).toHaveLength(4)
    expect(report.components.every((c) => c.explained > 0 && c.vector.length === 16)).toBe(true)
    const meta = await sharp(strip).metadata()
    expect([meta.width, meta.height]).toEqual([(7 * 32 + 6 * 2) * 4, (4 * 32 + 3 * 2) * 4])
  })
})
