import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErasureSpec, ModelSource } from '../../src/shared/api/explore'
import type { BoxesFile } from '../../src/shared/api/forget'
import { RunRecord } from '../../src/shared/formats/run'
import { Rng, noiseForSeed, shuffleInPlace } from '../../src/shared/latent/random'
import { selectBackend } from '../../src/engine/backend/select'
import { ModelCache } from '../../src/engine/explore'
import { FaceAttributes } from '../../src/engine/face-attributes'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'

beforeAll(() => ensureBuilt(), 300_000)

// Forgetting to draw (paper Fig. 6) on the shipped demo: a DCGAN trained on procedural faces and the
// attribute classifier trained on their labels (resources/demo; an empty library gets both installed). Boxes
// go around the glasses of the samples the classifier sees glasses on; the fitted erasure, applied by the
// engine, must make the classifier see fewer glasses while smiles, masculinity and pose barely move.
const DEMO = path.resolve('resources/demo')
const RUN_ID = 'procedural-faces-demo-dbd50b'
const run = RunRecord.parse(JSON.parse(fs.readFileSync(path.join(DEMO, 'runs', RUN_ID, 'run.json'), 'utf8')))
const checkpoint: ModelSource = { kind: 'checkpoint', model: run.model, dir: path.join(DEMO, 'runs', RUN_ID, 'checkpoints', '00004250') }
const classifierDir = path.join(DEMO, 'classifier')
/** The eye band of the demo's faces, where their glasses are drawn. */
const GLASSES_BOX = { x0: 0.25, y0: 0.3, x1: 0.75, y1: 0.5 }

const models = new ModelCache()
const faces = new FaceAttributes(models)
const ctx = { signal: new AbortController().signal, progress: () => undefined, emit: () => undefined }

function zOf(seed: number, count: number): Float32Array<ArrayBuffer> {
  const flat = new Float32Array(count * run.model.zDim)
  for (let i = 0; i < count; i++) flat.set(noiseForSeed(seed, i, run.model.zDim, run.model.noise), i * run.model.zDim)
  return flat
}

async function attributes(seed: number, count: number, erase?: ErasureSpec) {
  const generator = erase ? { ...checkpoint, erase } : checkpoint
  return (await faces.classifySamples({ generator, classifierDir, z: zOf(seed, count), count }, ctx)).probabilities
}

/** The error message a --json command printed as its last line. */
function errorOf(result: { lines: Record<string, unknown>[] }): string {
  return String((result.lines.at(-1)?.error as { message?: string } | undefined)?.message)
}

const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length

describe('dcgan-studio forget on the demo faces: erase glasses', () => {
  const library = tempDir('forget-library')
  const work = tempDir('forget-work')
  const boxesFile = path.join(work, 'glasses-boxes.json')
  let boxed = 0

  beforeAll(async () => {
    await selectBackend('wasm')
    // 150 samples, as in the paper; boxes on those with glasses, the others give negatives only.
    const seen = await attributes(1, 150)
    const file: BoxesFile = {
      formatVersion: 1,
      runId: RUN_ID,
      samples: seen.map((p, index) => ({ z: { kind: 'seed', seed: 1, index }, boxes: p.glasses > 0.8 ? [GLASSES_BOX] : [] }))
    }
    boxed = file.samples.filter((s) => s.boxes.length > 0).length
    fs.writeFileSync(boxesFile, JSON.stringify(file))
  })

  afterAll(() => models.dispose())

  it('fits the maps from the boxes, writes the comparison and the erasure, and lists the dropped maps', async () => {
    const out = path.join(work, 'erased')
    const result = await runCli([
      'forget',
      '--run',
      RUN_ID,
      '--boxes',
      boxesFile,
      '--out',
      out,
      '--negatives',
      'matched',
      '--drop',
      '4',
      '--save',
      'glasses',
      '--checkpoint',
      '4250',
      '--compare-count',
      '8',
      '--library',
      library
    ])
    expect(result.code, result.stderr).toBe(0)
    const done = result.lines.at(-1) as {
      layer: string
      shape: number[]
      step: number
      positives: number
      negatives: number
      maps: { channel: number; weight: number }[]
      dropped: { channel: number; weight: number }[]
      erasureId: string
      files: { erasure: string; comparison: string }
    }
    // G's second-highest conv layer of a 32-px, 32-wide G: 16×16 with 32 maps.
    expect(done.layer).toBe('g_relu2')
    expect(done.shape).toEqual([16, 16, 32])
    expect(done.step).toBe(4250)
    expect(boxed).toBeGreaterThan(40)
    // A box covers 8×3 cells of 16×16 (centres inside [0.25, 0.75] × [0.3, 0.5]).
    expect(done.positives).toBe(boxed * 24)
    expect(done.maps).toHaveLength(32)
    expect(done.dropped.map((m) => m.channel)).toEqual(done.maps.slice(0, 4).map((m) => m.channel))
    expect(done.dropped.every((m) => m.weight > 0)).toBe(true)
    expect(done.erasureId).toMatch(/^glasses-[0-9a-f]{6}$/)

    // Originals over erased: the 16 first boxed samples and 8 fresh ones, at 2× with 2-px gaps.
    const png = await sharp(done.files.comparison).metadata()
    expect([png.width, png.height]).toEqual([2 * (24 * 32 + 23 * 2), 2 * (2 * 32 + 2)])
    const record = JSON.parse(fs.readFileSync(done.files.erasure, 'utf8')) as { erase: ErasureSpec; erasureId: string }
    expect(record.erase).toEqual({ layer: 'g_relu2', channels: done.dropped.map((m) => m.channel) })
    expect(record.erasureId).toBe(done.erasureId)

    // The erasure makes the classifier see fewer glasses on fresh samples, and barely moves the rest.
    const before = await attributes(2, 300)
    const after = await attributes(2, 300, record.erase)
    const withGlasses = before.flatMap((p, i) => (p.glasses > 0.5 ? [i] : []))
    const glassesBefore = mean(withGlasses.map((i) => before[i]!.glasses))
    const glassesAfter = mean(withGlasses.map((i) => after[i]!.glasses))
    const moved = (pick: (p: (typeof before)[number]) => number): number => mean(before.map((p, i) => Math.abs(pick(p) - pick(after[i]!))))
    const unrelated = { smiling: moved((p) => p.smiling), masculine: moved((p) => p.masculine), frontal: moved((p) => p.pose.frontal) }
    console.log(
      `forget glasses: glasses ${glassesBefore.toFixed(3)} → ${glassesAfter.toFixed(3)} on ${withGlasses.length} samples; mean |change| ${JSON.stringify(unrelated)}`
    )
    expect(glassesBefore - glassesAfter).toBeGreaterThan(0.15)
    for (const change of Object.values(unrelated)) {
      expect(change).toBeLessThan(0.1)
      expect(glassesBefore - glassesAfter).toBeGreaterThan(2 * change)
    }

    // Control: dropping as many maps that the fit did not choose must not do the same. Five random draws of 4
    // of the 28 other maps, the 4 the fit weighs least (|weight| smallest) and the 4 it weighs lowest (most
    // negative: the maps drawn where glasses are not).
    const fittedDrop = glassesBefore - glassesAfter
    const others = done.maps.slice(done.dropped.length)
    const byMagnitude = [...others].sort((x, y) => Math.abs(x.weight) - Math.abs(y.weight))
    const rng = new Rng(12)
    const controls: { name: string; channels: number[] }[] = [
      ...Array.from({ length: 5 }, (_, k) => ({
        name: `random ${k + 1}`,
        channels: Array.from(
          shuffleInPlace(
            Int32Array.from(others, (m) => m.channel),
            rng
          ).slice(0, 4)
        )
      })),
      { name: 'least weight', channels: byMagnitude.slice(0, 4).map((m) => m.channel) },
      { name: 'lowest weight', channels: others.slice(-4).map((m) => m.channel) }
    ]
    const controlDrops: Record<string, number> = {}
    for (const control of controls) {
      expect(control.channels.some((c) => done.dropped.some((m) => m.channel === c))).toBe(false)
      const dropped = await attributes(2, 300, { layer: 'g_relu2', channels: control.channels })
      controlDrops[control.name] = glassesBefore - mean(withGlasses.map((i) => dropped[i]!.glasses))
    }
    console.log(
      `forget control: fitted maps drop glasses by ${fittedDrop.toFixed(3)}; other maps: ${JSON.stringify(Object.fromEntries(Object.entries(controlDrops).map(([k, v]) => [k, Number(v.toFixed(3))])))}`
    )
    // Measured: the fitted maps 0.236; the controls −0.020…0.060.
    for (const drop of Object.values(controlDrops)) {
      expect(Math.abs(drop)).toBeLessThan(0.1)
      expect(fittedDrop).toBeGreaterThan(3 * Math.abs(drop))
    }

    // The saved erasure applies anywhere a run is named: here a sample grid, which differs from the original.
    const plain = path.join(work, 'plain.png')
    const erased = path.join(work, 'erased.png')
    expect((await runCli(['sample', '--run', RUN_ID, '--count', '4', '--out', plain, '--library', library])).code).toBe(0)
    const withErasure = await runCli(['sample', '--run', RUN_ID, '--erasure', done.erasureId, '--count', '4', '--out', erased, '--library', library])
    expect(withErasure.code, withErasure.stderr).toBe(0)
    const [a, b] = await Promise.all([sharp(plain).raw().toBuffer(), sharp(erased).raw().toBuffer()])
    expect(a.length).toBe(b.length)
    expect(a.equals(b)).toBe(false)

    // An export drawn without the maps records them, so its record re-renders it even if the erasure is deleted.
    const figure = path.join(work, 'figure.png')
    const exported = await runCli([
      'export',
      'image',
      '--run',
      RUN_ID,
      '--erasure',
      done.erasureId,
      '--seed',
      '3',
      '--scale',
      '1',
      '--out',
      figure,
      '--library',
      library
    ])
    expect(exported.code, exported.stderr).toBe(0)
    const sidecar = JSON.parse(fs.readFileSync(`${figure}.json`, 'utf8')) as {
      run: { erasure: ErasureSpec; checkpointStep: number }
      request: { run: unknown }
    }
    expect(sidecar.run).toMatchObject({ checkpointStep: 4250, erasure: record.erase })
    expect(sidecar.request.run).toEqual({ id: RUN_ID, step: 4250, erasure: record.erase })

    // The Fig. 6 figure from the command line: three seeds' samples over the same samples drawn without the maps.
    const pair = path.join(work, 'pair.png')
    const pairResult = await runCli([
      'export',
      'erasure',
      '--run',
      RUN_ID,
      '--erasure',
      done.erasureId,
      '--seeds',
      '4,5,6',
      '--scale',
      '1',
      '--out',
      pair,
      '--library',
      library
    ])
    expect(pairResult.code, pairResult.stderr).toBe(0)
    const pairPng = await sharp(pair).metadata()
    expect([pairPng.width, pairPng.height]).toEqual([3 * 32 + 2 * 2, 2 * 32 + 2])
    expect(JSON.parse(fs.readFileSync(`${pair}.json`, 'utf8'))).toMatchObject({ operation: 'erasure', run: { erasure: record.erase } })
    const noErasure = await runCli(['export', 'erasure', '--run', RUN_ID, '--seeds', '4', '--out', pair, '--library', library])
    expect(noErasure.code).toBe(2)
    expect(errorOf(noErasure)).toMatch(/choose the erasure to compare with/)
  })

  it('names what is wrong with a bad boxes file, and refuses an erasure on another checkpoint', async () => {
    const bad = path.join(work, 'bad.json')
    fs.writeFileSync(bad, JSON.stringify({ formatVersion: 1, samples: [{ z: { kind: 'seed', seed: 1 }, boxes: [{ x0: 0.5, y0: 0, x1: 0.2, y1: 1 }] }] }))
    const result = await runCli(['forget', '--run', RUN_ID, '--boxes', bad, '--out', path.join(work, 'bad'), '--library', library])
    expect(result.code).toBe(2)
    expect(errorOf(result)).toMatch(/x1 > x0/)
    const none = path.join(work, 'none.json')
    fs.writeFileSync(none, JSON.stringify({ formatVersion: 1, samples: [{ z: { kind: 'seed', seed: 1 }, boxes: [] }] }))
    expect(errorOf(await runCli(['forget', '--run', RUN_ID, '--boxes', none, '--out', path.join(work, 'none'), '--library', library]))).toMatch(
      /at least one box/
    )

    const missing = await runCli(['sample', '--run', RUN_ID, '--erasure', 'no-such-erasure', '--out', path.join(work, 'x.png'), '--library', library])
    expect(missing.code).toBe(1)
    expect(errorOf(missing)).toMatch(/no erasure/i)
    const [saved] = fs.readdirSync(path.join(library, 'erasures')).filter((f) => f.endsWith('.json'))
    const otherStep = await runCli([
      'sample',
      '--run',
      RUN_ID,
      '--checkpoint',
      '4000',
      '--erasure',
      path.basename(saved!, '.json'),
      '--out',
      path.join(work, 'x.png'),
      '--library',
      library
    ])
    expect(otherStep.code).toBe(1)
    expect(errorOf(otherStep)).toMatch(/fitted on checkpoint 4250.*cannot be applied to checkpoint 4000/)
  })
})
