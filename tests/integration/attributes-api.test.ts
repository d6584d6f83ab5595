import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StudioClient, createStudioClient } from '../../src/shared/api/client'
import { dispatch } from '../../src/main/services/dispatch'
import { CLASSIFIERS_DIR, DEMO_CLASSIFIER, readDemoManifest } from '../../src/main/services/demo'
import { launchNodeEngine } from '../../src/main/services/engine-process'
import { Studio } from '../../src/main/services/studio'
import { RunRecord } from '../../src/shared/formats/run'
import { ensureBuilt } from '../support/build'
import { tempDir } from '../support/fixtures'

beforeAll(() => ensureBuilt(), 300_000)

const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length

// Scoring samples by face attribute (Explore's filter and sort) through the Studio API, on the shipped demo
// model and its real classifier, which an empty library gets installed. Calls go through the dispatcher and
// the typed client, as the UI's do, so both the parameters and the answers are validated by the contract.
describe('explore.classifier and explore.attributes on the demo model', () => {
  const demo = readDemoManifest()
  const runId = demo?.runId ?? ''
  let studio: Studio
  let client: StudioClient

  beforeAll(async () => {
    expect(demo, 'resources/demo/demo.json must be shipped').not.toBeNull()
    // The backend is what this test is about only in passing; pin it so an installed tfjs-node changes nothing.
    studio = await Studio.open({ libraryRoot: tempDir('attributes-library'), launcher: launchNodeEngine, backend: 'wasm' })
    client = createStudioClient({
      invoke: (method, params) => dispatch(studio.handlers, method, structuredClone(params)).then((o) => structuredClone(o)),
      on: () => () => undefined
    })
  })

  afterAll(async () => {
    await studio?.close()
  })

  /** A copy of the demo run under another id, its record changed by `edit` (e.g. another classifier link). */
  function copyDemoRun(id: string, edit: (record: Record<string, unknown>) => void): void {
    const from = studio.library.path('runs', runId)
    const to = studio.library.path('runs', id)
    fs.cpSync(from, to, { recursive: true })
    const file = path.join(to, 'run.json')
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
    record.id = id
    edit(record)
    fs.writeFileSync(file, JSON.stringify(record))
  }

  it('the shipped demo run names the classifier installed with it', async () => {
    const shipped = RunRecord.parse(JSON.parse(fs.readFileSync(path.resolve('resources/demo/runs', runId, 'run.json'), 'utf8')))
    expect(shipped.classifier).toBe(DEMO_CLASSIFIER)
    expect(fs.existsSync(studio.library.path(CLASSIFIERS_DIR, DEMO_CLASSIFIER, 'classifier.json'))).toBe(true)
    const summary = await client.call('explore.classifier', { id: runId })
    expect(summary).toMatchObject({ id: DEMO_CLASSIFIER, size: 32, attributes: ['smiling', 'masculine', 'glasses'], poses: ['left', 'frontal', 'right'] })
    expect(summary?.accuracy.smiling).toBeGreaterThan(0.9)
  })

  it('scores a grid of samples: one answer per z, in order, the same for the same seed, and varied across faces', async () => {
    const z = Array.from({ length: 64 }, (_, index) => ({ kind: 'seed' as const, seed: 0, index }))
    const result = await client.call('explore.attributes', { run: { id: runId }, z })
    expect(result.classifier).toBe(DEMO_CLASSIFIER)
    expect(result.step).toBe(5500)
    expect(result.probabilities).toHaveLength(64)
    for (const p of result.probabilities) {
      for (const v of [p.smiling, p.masculine, p.glasses]) expect(v).toBeGreaterThanOrEqual(0)
      expect(p.pose.left + p.pose.frontal + p.pose.right).toBeCloseTo(1, 3)
    }
    // The demo draws every attribute both ways (it was trained on faces that are, independently, half and half).
    for (const attribute of ['smiling', 'masculine', 'glasses'] as const) {
      const yes = result.probabilities.filter((p) => p[attribute] > 0.5).length
      expect(yes, attribute).toBeGreaterThan(5)
      expect(yes, attribute).toBeLessThan(59)
    }
    // Sample 7 alone scores what it scored in the grid: scores belong to samples, not to their neighbours.
    const alone = await client.call('explore.attributes', { run: { id: runId }, z: [{ kind: 'seed', seed: 0, index: 7 }] })
    expect(alone.probabilities[0]?.smiling).toBeCloseTo(result.probabilities[7]?.smiling ?? -1, 4)
    expect(alone.probabilities[0]?.glasses).toBeCloseTo(result.probabilities[7]?.glasses ?? -1, 4)
  })

  it('scores the samples as drawn with the chosen erasure: the shipped glasses erasure lowers the glasses score', async () => {
    const erasures = await client.call('erasures.list', { runId })
    const glasses = erasures.find((e) => e.name.includes('glasses'))
    expect(glasses, 'the demo ships a glasses erasure').toBeDefined()
    const z = Array.from({ length: 64 }, (_, index) => ({ kind: 'seed' as const, seed: 3, index }))
    // The erasure belongs to the checkpoint it was fitted on (step 4250, not the demo's latest): compare there.
    const plain = await client.call('explore.attributes', { run: { id: runId, step: glasses?.step ?? null }, z })
    const erased = await client.call('explore.attributes', { run: { id: runId, erasure: glasses?.id ?? null }, z })
    expect(mean(erased.probabilities.map((p) => p.glasses))).toBeLessThan(mean(plain.probabilities.map((p) => p.glasses)) - 0.1)
  })

  it('says there is no classifier for a run without one, and refuses to score its samples', async () => {
    copyDemoRun('faces-unscored-000001', (record) => {
      delete record.classifier
    })
    expect(await client.call('explore.classifier', { id: 'faces-unscored-000001' })).toBeNull()
    const error = await client.call('explore.attributes', { run: { id: 'faces-unscored-000001' }, z: [{ kind: 'seed', seed: 0 }] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('has no face-attribute classifier') })
  })

  it('names the file when the linked classifier is missing, and the sizes when it does not fit the model', async () => {
    copyDemoRun('faces-broken-link-000002', (record) => {
      record.classifier = 'gone-faces'
    })
    const missing = await client.call('explore.classifier', { id: 'faces-broken-link-000002' }).catch((e: unknown) => e)
    expect(missing).toMatchObject({ code: 'not_found', message: expect.stringContaining(path.join(CLASSIFIERS_DIR, 'gone-faces', 'classifier.json')) })

    const wrongDir = studio.library.path(CLASSIFIERS_DIR, 'faces-64')
    fs.cpSync(studio.library.path(CLASSIFIERS_DIR, DEMO_CLASSIFIER), wrongDir, { recursive: true })
    const info = JSON.parse(fs.readFileSync(path.join(wrongDir, 'classifier.json'), 'utf8')) as Record<string, unknown>
    fs.writeFileSync(path.join(wrongDir, 'classifier.json'), JSON.stringify({ ...info, size: 64 }))
    copyDemoRun('faces-wrong-size-000003', (record) => {
      record.classifier = 'faces-64'
    })
    const wrong = await client.call('explore.attributes', { run: { id: 'faces-wrong-size-000003' }, z: [{ kind: 'seed', seed: 0 }] }).catch((e: unknown) => e)
    expect(wrong).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/sees 64px .* draws 32px/) })

    // A link that is not a folder name is refused when the record is read, naming the field.
    copyDemoRun('faces-bad-name-000004', (record) => {
      record.classifier = '../outside'
    })
    const bad = await client.call('explore.classifier', { id: 'faces-bad-name-000004' }).catch((e: unknown) => e)
    expect(bad).toMatchObject({ message: expect.stringContaining('classifier') })
  })

  it('validates its parameters: at least one and at most 256 samples', async () => {
    for (const z of [[], Array.from({ length: 257 }, (_, index) => ({ kind: 'seed' as const, seed: 0, index }))]) {
      const error = await client.call('explore.attributes', { run: { id: runId }, z }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('parameters of explore.attributes') })
    }
  })
})
