import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallOutcome } from '../../src/shared/api/contract'
import { type ArithmeticResult, ConceptRecord, type RenderedSamples } from '../../src/shared/api/explore'
import { launchNodeEngine } from '../../src/main/services/engine-process'
import { Studio } from '../../src/main/services/studio'
import { ensureBuilt } from '../support/build'
import { meanDifference } from '../support/pixels'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

const seeds = (...list: number[]) => list.map((seed) => ({ kind: 'seed' as const, seed, index: 0 }))

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number)
  return sum
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)))
  return m
}

// Concepts (named z vectors saved from arithmetic, paper Fig. 7–8) on a small model trained here: saved and
// listed through the Studio API as the Explore screen does, applied with a strength and swept, and exported
// with the CLI; the same validation the UI meets on the way.
describe('concepts: save, apply with a strength, sweep, export', () => {
  let library = ''
  let runId = ''
  let studio: Studio
  let arithmetic: ArithmeticResult
  let point: ConceptRecord
  let direction: ConceptRecord

  async function call<T>(method: string, params: unknown): Promise<T> {
    const outcome: CallOutcome = await studio.call(method, params)
    if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`)
    return outcome.result as T
  }
  async function refused(method: string, params: unknown): Promise<{ code: string; message: string }> {
    const outcome: CallOutcome = await studio.call(method, params)
    expect(outcome.ok).toBe(false)
    return outcome.ok ? { code: '', message: '' } : outcome.error
  }
  const render = async (z: Float32Array) => (await call<RenderedSamples>('explore.render', { run: { id: runId }, z: [{ kind: 'z', z }] })).samples[0]!

  beforeAll(async () => {
    ;({ library, runId } = await trainTinyRun({ images: 32, seed: 5, steps: 40, batch: 16, extra: ['--lr', '0.001'] }))
    studio = await Studio.open({ libraryRoot: library, launcher: launchNodeEngine })
    arithmetic = await call<ArithmeticResult>('explore.arithmetic', { run: { id: runId }, a: seeds(1, 2, 3), b: seeds(4, 5, 6), c: seeds(7, 8, 9) })
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('saves a point and a direction with their provenance, and lists them for their run only', async () => {
    const exemplars = { a: [1, 2, 3], b: [4, 5, 6], c: [7, 8, 9] }
    point = await call<ConceptRecord>('concepts.save', {
      name: 'Smiling man',
      kind: 'point',
      runId,
      vector: arithmetic.result.z,
      provenance: { operation: 'mean(A) − mean(B) + mean(C)', details: { checkpoint: arithmetic.step, exemplars } }
    })
    await new Promise((resolve) => setTimeout(resolve, 5))
    const smile = arithmetic.a.mean.map((v, i) => v - (arithmetic.b.mean[i] as number))
    direction = await call<ConceptRecord>('concepts.save', {
      name: 'smile',
      kind: 'direction',
      runId,
      vector: smile,
      provenance: { operation: 'mean(A) − mean(B)', details: { checkpoint: arithmetic.step, exemplars } }
    })
    expect(point).toMatchObject({ formatVersion: 1, name: 'Smiling man', kind: 'point', runId, zDim: 100 })
    expect(point.id).toMatch(/^smiling-man-[0-9a-f]{6}$/)
    expect(maxAbsDiff(point.vector, arithmetic.result.z)).toBeLessThan(1e-6)
    expect(direction).toMatchObject({ kind: 'direction', zDim: 100, provenance: { operation: 'mean(A) − mean(B)', details: { checkpoint: 40, exemplars } } })
    expect(maxAbsDiff(direction.vector, smile)).toBeLessThan(1e-6)

    // Newest first; another run has none; the file in the library is the record itself.
    expect((await call<ConceptRecord[]>('concepts.list', { runId })).map((c) => c.id)).toEqual([direction.id, point.id])
    expect(await call<ConceptRecord[]>('concepts.list', { runId: 'another-run-000000' })).toEqual([])
    const file = path.join(library, 'concepts', `${point.id}.json`)
    expect(ConceptRecord.parse(JSON.parse(fs.readFileSync(file, 'utf8')))).toEqual(point)
  })

  it('applies a direction with a strength: z moves by strength × direction, and strength 0 is the original', async () => {
    const base = seeds(11)[0]!
    const original = (await call<RenderedSamples>('explore.render', { run: { id: runId }, z: [base] })).samples[0]!
    const applied = await call<RenderedSamples>('explore.applyConcept', { run: { id: runId }, z: base, conceptId: direction.id, strengths: [0, 0.75, -1.5] })
    expect(applied.samples).toHaveLength(3)
    const vector = Float32Array.from(direction.vector)
    const [zero, forward, backward] = applied.samples as [
      RenderedSamples['samples'][number],
      RenderedSamples['samples'][number],
      RenderedSamples['samples'][number]
    ]
    expect(maxAbsDiff(zero.z, original.z)).toBe(0)
    expect(maxAbsDiff(zero.image.data, original.image.data)).toBe(0)
    for (const [sample, strength] of [
      [forward, 0.75],
      [backward, -1.5]
    ] as const) {
      expect(
        maxAbsDiff(
          sample.z,
          original.z.map((v, i) => v + strength * (vector[i] as number))
        )
      ).toBeLessThan(1e-5)
      // The image is the moved z's own image, and it is not the original's.
      expect(maxAbsDiff(sample.image.data, (await render(sample.z)).image.data)).toBeLessThanOrEqual(1)
      expect(meanDifference(sample.image.data, original.image.data)).toBeGreaterThan(0.5)
    }

    // A point concept pulls the sample towards the point: strength 1 lands on it, 0.5 halfway.
    const towards = await call<RenderedSamples>('explore.applyConcept', { run: { id: runId }, z: base, conceptId: point.id, strengths: [1, 0.5] })
    expect(maxAbsDiff(towards.samples[0]!.z, point.vector)).toBeLessThan(1e-5)
    expect(
      maxAbsDiff(
        towards.samples[1]!.z,
        original.z.map((v, i) => (v + (point.vector[i] as number)) / 2)
      )
    ).toBeLessThan(1e-5)
  })

  it('sweeps along a direction: frames step evenly along it from −2 to +2, the image changing more the further along', async () => {
    const strengths = Array.from({ length: 9 }, (_, i) => -2 + i * 0.5)
    const base = seeds(12)[0]!
    const sweep = await call<RenderedSamples>('explore.applyConcept', { run: { id: runId }, z: base, conceptId: direction.id, strengths })
    const vector = Float32Array.from(direction.vector)
    const origin = sweep.samples[4]!.z
    const along = sweep.samples.map(
      (s) =>
        dot(
          s.z.map((v, i) => v - (origin[i] as number)),
          vector
        ) / dot(vector, vector)
    )
    along.forEach((t, i) => expect(t).toBeCloseTo(strengths[i] as number, 4))
    // Nothing but the direction changes: what is left after removing the step along it is the original z.
    for (const [i, s] of sweep.samples.entries())
      expect(
        maxAbsDiff(
          s.z.map((v, k) => v - (strengths[i] as number) * (vector[k] as number)),
          origin
        )
      ).toBeLessThan(1e-5)
    const middle = sweep.samples[4]!.image.data
    const change = sweep.samples.map((s) => meanDifference(s.image.data, middle))
    console.log(`concept sweep: mean |image change| from strength 0 at ${strengths.join(', ')}: ${change.map((c) => c.toFixed(1)).join(', ')}`)
    // Measured: 7.5, 5.6, 3.7, 1.9, 0, 1.8, 3.4, 5.2, 7.3 — the further along, the more the image changes.
    expect(change[4]).toBe(0)
    for (let i = 0; i < 4; i++) expect(change[i]).toBeGreaterThan(change[i + 1] as number)
    for (let i = 5; i < 9; i++) expect(change[i]).toBeGreaterThan(change[i - 1] as number)
  })

  it('exports a concept with the CLI as its library record, and names an unknown one', async () => {
    const out = path.join(tempDir('concept-export'), 'smile.json')
    const result = await runCli(['export', 'concept', direction.id, '--out', out, '--library', library])
    expect(result.code, result.stderr).toBe(0)
    const written = ConceptRecord.parse(JSON.parse(fs.readFileSync(out, 'utf8')))
    expect(written).toEqual(direction)
    expect(written.vector).toHaveLength(100)

    const unknown = await runCli(['export', 'concept', 'no-such-concept-000000', '--out', out, '--library', library])
    expect(unknown.code).toBe(1)
    expect(JSON.stringify(unknown.lines.at(-1))).toMatch(/There is no concept at .*no-such-concept-000000\.json/)
    const unnamed = await runCli(['export', 'concept', '--out', out, '--library', library])
    expect(unnamed.code).toBe(2)
    expect(JSON.stringify(unnamed.lines.at(-1))).toMatch(/Name the concept to export/)
    // The file of the failed exports is the first export, untouched.
    expect(ConceptRecord.parse(JSON.parse(fs.readFileSync(out, 'utf8')))).toEqual(direction)
  })

  it('refuses unknown ids, vectors of the wrong length and strengths out of range, saying what is wrong', async () => {
    const base = seeds(11)[0]!
    const unknown = await refused('explore.applyConcept', { run: { id: runId }, z: base, conceptId: 'no-such-concept-000000', strengths: [1] })
    expect(unknown.code).toBe('not_found')
    expect(unknown.message).toMatch(/There is no concept at .*no-such-concept-000000\.json/)
    expect((await refused('explore.applyConcept', { run: { id: runId }, z: base, conceptId: '../run', strengths: [1] })).message).toMatch(
      /"\.\.\/run" is not a concept id/
    )
    expect((await refused('explore.applyConcept', { run: { id: runId }, z: base, conceptId: direction.id, strengths: [11] })).message).toMatch(/strengths/)

    // Saving: the vector must fit the run's z, and the run must exist.
    const short = await refused('concepts.save', {
      name: 'short',
      kind: 'direction',
      runId,
      vector: new Float32Array(7),
      provenance: { operation: 'test', details: {} }
    })
    expect(short.code).toBe('bad_request')
    expect(short.message).toMatch(/"short" has 7 dimensions, but the z of run ".*" has 100/)
    const orphan = await refused('concepts.save', {
      name: 'orphan',
      kind: 'direction',
      runId: 'no-such-run-000000',
      vector: new Float32Array(100),
      provenance: { operation: 'test', details: {} }
    })
    expect(orphan.code).toBe('not_found')
    expect(orphan.message).toMatch(/no run no-such-run-000000/i)
    expect((await call<ConceptRecord[]>('concepts.list', { runId })).map((c) => c.name).sort()).toEqual(['Smiling man', 'smile'])

    // A concept file copied in from a model with another z length is reported when applied, not half-used.
    const foreign: ConceptRecord = { ...direction, id: 'foreign-000000', name: 'foreign', zDim: 7, vector: [1, 0, 0, 0, 0, 0, 0] }
    fs.writeFileSync(path.join(library, 'concepts', 'foreign-000000.json'), JSON.stringify(foreign))
    const wrong = await refused('explore.applyConcept', { run: { id: runId }, z: base, conceptId: 'foreign-000000', strengths: [1] })
    expect(wrong.code).toBe('bad_request')
    expect(wrong.message).toMatch(/"foreign" has 7 dimensions; this model's z has 100/)
  })
})
