import { beforeAll, describe, expect, it } from 'vitest'
import { type MetricsLine, TrainEvent } from '../../src/shared/formats/run'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir, writeDiscImages } from '../support/fixtures'
import { requireSwiftShader } from '../support/swiftshader'

// `dcgan-studio train --backend webgpu` through the built CLI and engine, on SwiftShader: a tiny run trains, its
// D learns within the run, and every step's losses are those of the same run on wasm. (A step takes ~10–20 s on
// SwiftShader on a busy 2-core machine, so the run is short; learning.test.ts shows on wasm where these steps
// lead over 150 more.)

const STEPS = 5
const RUN = [
  '--width',
  '8',
  '--batch',
  '8',
  '--kernel',
  '4',
  '--lr',
  '0.001',
  '--seed',
  '4',
  '--steps',
  String(STEPS),
  '--checkpoint-every',
  String(STEPS),
  '--sample-every',
  String(STEPS)
]

beforeAll(() => {
  requireSwiftShader()
  ensureBuilt()
}, 300_000)

async function train(
  library: string,
  datasetId: string,
  backend: 'wasm' | 'webgpu'
): Promise<{ metrics: MetricsLine[]; done: Record<string, unknown>; backendUsed: string }> {
  const result = await runCli(['train', '--dataset', datasetId, ...RUN, '--backend', backend, '--library', library])
  expect(result.code, result.stderr.slice(-2000)).toBe(0)
  const events = result.lines.filter((l) => l.event === 'train').map((l) => TrainEvent.parse(l))
  const metrics = events.flatMap((e) => (e.kind === 'progress' ? [e.metrics] : []))
  const started = events.find((e) => e.kind === 'started') as { backend?: string } | undefined
  return { metrics, done: result.lines.at(-1) ?? {}, backendUsed: started?.backend ?? '' }
}

describe('dcgan-studio train --backend webgpu', () => {
  it('trains a tiny run in which D learns, step for step as on wasm', async () => {
    const library = tempDir('webgpu-library')
    const source = tempDir('webgpu-source')
    await writeDiscImages(source, 32, 2)
    const imported = await runCli(['import', source, '--size', '32', '--library', library])
    expect(imported.code).toBe(0)
    const datasetId = String(imported.lines.at(-1)?.datasetId)

    const webgpu = await train(library, datasetId, 'webgpu')
    expect(webgpu.backendUsed).toBe('webgpu')
    expect(webgpu.done).toMatchObject({ event: 'done', status: 'completed', step: STEPS })
    expect(webgpu.metrics.map((m) => m.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1))
    const first = webgpu.metrics[0]!
    const last = webgpu.metrics.slice(-3)
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length
    // D learns: its loss falls and it tells real from fake better than at the start.
    expect(mean(last.map((m) => m.dLoss))).toBeLessThan(first.dLoss - 0.1)
    expect(mean(last.map((m) => m.dReal - m.dFake))).toBeGreaterThan(first.dReal - first.dFake + 0.1)

    const wasm = await train(library, datasetId, 'wasm')
    expect(wasm.backendUsed).toBe('wasm')
    if (process.env['REPORT_ERRORS']) {
      for (const [i, m] of webgpu.metrics.entries())
        console.log(
          m.step,
          m.dLoss,
          m.dReal - m.dFake,
          Math.max(...(['dLoss', 'gLoss', 'dReal', 'dFake'] as const).map((k) => Math.abs(m[k] - wasm.metrics[i]![k])))
        )
    }
    // The same seed, data order and weights: the backends differ only by float32 rounding, which five steps of
    // Adam carry along without amplifying past 1e-3.
    webgpu.metrics.forEach((m, i) => {
      const reference = wasm.metrics[i]!
      for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake'] as const) expect(Math.abs(m[key] - reference[key]), `step ${m.step} ${key}`).toBeLessThan(1e-3)
    })
  })
})
