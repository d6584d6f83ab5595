import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { RunRecord } from '../../shared/formats/run'
import * as os from 'node:os'
import { Library } from './library'
import { RunStore } from './run-store'
import { demoDir, installDemoIfEmpty, readDemoManifest, upgradeInstalledDemo } from './demo'

describe('the shipped demo', () => {
  it('records how to make its dataset again (it ships without its training faces), matching what it was trained on', () => {
    const manifest = readDemoManifest(demoDir())
    expect(manifest).not.toBeNull()
    const record = RunRecord.parse(JSON.parse(fs.readFileSync(path.join(demoDir(), 'runs', manifest?.runId ?? '', 'run.json'), 'utf8')))
    // README: `make-faces --count 12000 --size 32 --seed 1`, imported at 32 px.
    expect(record.dataset?.recipe).toEqual({ kind: 'procedural-faces', count: 12000, size: 32, seed: 1 })
    expect(record.dataset).toMatchObject({ count: 12000, size: 32, channels: 3 })
  })

  it("ships the paper's own SVHN DCGAN beside it, with its provenance and the authors' MIT licence, and installs both", async () => {
    const manifest = readDemoManifest(demoDir())
    expect(manifest?.moreRuns).toEqual(['paper-svhn-dcgan'])
    const library = Library.open(fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-demo-svhn-')))
    expect(await installDemoIfEmpty(library)).toBe(manifest?.runId)
    const runs = new RunStore(library.path('runs'))
    expect((await runs.ids()).sort()).toEqual([manifest?.runId, 'paper-svhn-dcgan'].sort())
    const svhn = await runs.read('paper-svhn-dcgan')
    expect(svhn.name).toBe("The paper's own SVHN DCGAN")
    expect(svhn.model).toMatchObject({
      imageSize: 32,
      channels: 3,
      zDim: 100,
      kernelSize: 5,
      padding: 'symmetric',
      projectionNorm: 'unit',
      batchNormEpsilon: 1e-8,
      noise: { kind: 'normal', mean: 0, std: 1 }
    })
    expect(svhn.imported?.format).toBe('theano')
    expect(svhn.imported?.provenance).toMatch(/Radford, Luke Metz and Soumith Chintala.*Newmu\/dcgan_code.*epoch 200/)
    expect(svhn.imported?.licence?.text).toMatch(/^The MIT License \(MIT\)\s+Copyright \(c\) 2015 Alec Radford/)
    expect(svhn.imported?.notes.join(' ')).toMatch(/estimated from one batch of 2048 z/)
    // What shipped names no path of the machine that packed it.
    expect(svhn.imported?.files.map((f) => f.path)).toEqual(['200_gen_params.jl', '200_discrim_params.jl'])
    expect(fs.existsSync(library.path('runs', 'paper-svhn-dcgan', 'checkpoints', '00000000', 'generator', 'weights.bin'))).toBe(true)
    fs.rmSync(library.root, { recursive: true, force: true })
  })

  it('gives a demo installed by an older studio its recipe and classifier link, and leaves everything else of the record alone', async () => {
    const library = Library.open(fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-demo-recipe-')))
    const runId = await installDemoIfEmpty(library)
    const runs = new RunStore(library.path('runs'))
    const installed = await runs.read(runId ?? '')
    const { recipe, ...withoutRecipe } = installed.dataset ?? {}
    const { classifier, ...withoutClassifier } = installed
    expect(recipe).toBeDefined()
    expect(classifier).toBe('demo-faces')
    await runs.update(runId ?? '', () => ({
      ...withoutClassifier,
      dataset: withoutRecipe as typeof installed.dataset,
      statusMessage: 'as an older studio left it'
    }))
    expect(await upgradeInstalledDemo(runs, library)).toBe(true)
    const upgraded = await runs.read(runId ?? '')
    expect(upgraded.dataset?.recipe).toEqual(recipe)
    expect(upgraded.classifier).toBe('demo-faces')
    expect(upgraded.statusMessage).toBe('as an older studio left it')
    expect(await upgradeInstalledDemo(runs, library)).toBe(false)
    fs.rmSync(library.root, { recursive: true, force: true })
  })
})
