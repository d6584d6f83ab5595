import { describe, expect, it } from 'vitest'
import type { ErasureRecord } from '../../../shared/api/forget'
import { defaultDrop } from './default-drop'

const maps = (n: number) => Array.from({ length: n }, (_, i) => ({ channel: i, weight: n / 2 - i }))
const report = (depth: number, positive: number) => ({
  layer: 'g_relu2',
  step: 4250,
  maps: maps(depth),
  dropped: Array.from({ length: positive }, (_, i) => i)
})
const erasure = (name: string, channels: number, extra: Partial<ErasureRecord> = {}): ErasureRecord => ({
  formatVersion: 1,
  id: `${name}-abc123`,
  name,
  runId: 'demo',
  step: 4250,
  erase: { layer: 'g_relu2', channels: Array.from({ length: channels }, (_, i) => i) },
  maps: maps(32),
  boxes: { samples: 1, boxes: 1 },
  fittedFrom: { samples: [], settings: { layer: 'g_relu2', negatives: 'matched', negativesPerPositive: 1, weightDecay: 1e-3, iterations: 400, seed: 0 } },
  createdAt: '2026-01-01T00:00:00.000Z',
  ...extra
})

describe('how many maps the Forget panel drops at first', () => {
  it("does not start on the paper's rule on a small layer: one map in eight (the demo's measured 4 of 32)", () => {
    const choice = defaultDrop(report(32, 18), [], 'demo')
    expect(choice.drop).toBe(4)
    expect(choice.why).toMatch(/top 4 of 32 maps/)
    expect(choice.why).toMatch(/paper's rule.*would drop 18 of the 32/)
  })

  it('starts on the N of an erasure saved for this model and layer (the demo ships "glasses", 4 maps)', () => {
    const choice = defaultDrop(
      report(32, 18),
      [
        erasure('glasses', 4),
        erasure('other run', 9, { runId: 'other' }),
        erasure('other layer', 7, { erase: { layer: 'g_relu1', channels: [1, 2, 3, 4, 5, 6, 7] } })
      ],
      'demo'
    )
    expect(choice).toEqual({ drop: 4, why: expect.stringContaining('as the saved erasure “glasses” of this model does') })
    // The newest of this checkpoint's erasures wins.
    expect(defaultDrop(report(32, 18), [erasure('old', 6), erasure('new', 3, { createdAt: '2026-02-01T00:00:00.000Z' })], 'demo').drop).toBe(3)
  })

  it("keeps the paper's rule when it drops no more than that", () => {
    expect(defaultDrop(report(64, 5), [], 'demo')).toEqual({ drop: 5, why: expect.stringContaining("paper's rule: the 5 maps with a positive weight") })
    expect(defaultDrop(report(3, 2), [], 'demo').drop).toBe(1)
  })
})
