import { describe, expect, it } from 'vitest'
import { type MetricsLine, TrainEvent } from '../../shared/formats/run'
import { D_LOSS_NEAR_ZERO, divergedWeightsMessage, divergenceMessage, DiversityWatch, dLossWindow, DLossWatch } from './health'

function line(step: number, values: Partial<MetricsLine> = {}): MetricsLine {
  return { step, epoch: 0, dLoss: 1.2, gLoss: 0.9, dReal: 0.6, dFake: 0.4, imagesPerSecond: 100, time: 0, ...values }
}

describe('divergenceMessage', () => {
  it('is null for a healthy step, including a large but believable loss', () => {
    expect(divergenceMessage(line(5), 0)).toBeNull()
    expect(divergenceMessage(line(5, { gLoss: 60 }), 0)).toBeNull()
  })

  it('names the value, the step and the last good checkpoint', () => {
    expect(divergenceMessage(line(812, { dLoss: Number.NaN, gLoss: Number.NaN }), 500)).toBe(
      'D loss became NaN at step 812; the last good checkpoint is step 500 — lower the learning rate and resume or branch from it.'
    )
    expect(divergenceMessage(line(3, { gLoss: Number.POSITIVE_INFINITY }), 0)).toMatch(/^G loss became infinite at step 3; the last good checkpoint is step 0/)
    expect(divergenceMessage(line(3, { dFake: Number.NaN }), 0)).toMatch(/^D's output on generated images became NaN at step 3/)
    expect(divergenceMessage(line(9, { gLoss: 6.6e13 }), 5)).toBe(
      'G loss exploded to 6.60e+13 at step 9 (training diverged); the last good checkpoint is step 5 — lower the learning rate and resume or branch from it.'
    )
  })

  it('says when there is no checkpoint to go back to', () => {
    expect(divergenceMessage(line(1, { dLoss: Number.NaN }), null)).toBe(
      'D loss became NaN at step 1; there is no checkpoint to go back to — lower the learning rate and start the run again.'
    )
    expect(divergedWeightsMessage(7, null)).toMatch(/^The weights became NaN or infinite by step 7; there is no checkpoint/)
  })
})

describe('DLossWatch', () => {
  it('warns once when D loss stays near zero for a whole window of consecutive steps', () => {
    const watch = new DLossWatch(5)
    const warnings: TrainEvent[] = []
    // A near-zero spell that is interrupted does not count; the next full one does, once.
    const losses = [0.001, 0.002, 0.001, 0.5, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001]
    losses.forEach((dLoss, i) => {
      const warning = watch.observe(line(i + 1, { dLoss }))
      if (warning) warnings.push(TrainEvent.parse(warning))
    })
    expect(warnings).toEqual([expect.objectContaining({ kind: 'warning', code: 'd-loss-near-zero', step: 9 })])
    expect(D_LOSS_NEAR_ZERO).toBe(0.01)
  })

  it('uses a window of a tenth of the run, between 20 and 200 steps', () => {
    expect(dLossWindow(50)).toBe(20)
    expect(dLossWindow(1000)).toBe(100)
    expect(dLossWindow(25_000)).toBe(200)
  })
})

describe('DiversityWatch', () => {
  it('warns once when the samples become far more alike than at their best, ignoring step 0', () => {
    const watch = new DiversityWatch()
    // Step 0 (random weights) is very diverse but is not the benchmark.
    const series: [number, number][] = [
      [0, 2],
      [100, 0.2],
      [200, 0.5],
      [300, 0.4],
      [400, 0.14],
      [500, 0.1]
    ]
    const warnings = series.map(([step, d]) => watch.observe(step, d)).filter((w) => w !== null)
    expect(warnings).toEqual([expect.objectContaining({ code: 'diversity-collapse', step: 400 })])
    expect(warnings[0]?.message).toMatch(/28% of the best/)
    expect(new DiversityWatch().observe(10, null)).toBeNull()
  })
})
