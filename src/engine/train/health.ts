import type { MetricsLine, TrainEvent } from '../../shared/formats/run'

/**
 * Health checks on a running GAN, in the user's words. Each watcher turns the stream of metrics (or sample
 * grids) into at most one warning per training session: a warning repeated every step would only be noise.
 */

type Warning = Extract<TrainEvent, { kind: 'warning' }>

/**
 * D's loss (BCE on real + BCE on fake) below this means D tells real from fake with near certainty:
 * D(x) > 0.995 and D(G(z)) < 0.005. G's gradient then carries almost no information, and the run has
 * usually failed (the paper's β1 and learning rate exist to avoid this).
 */
export const D_LOSS_NEAR_ZERO = 0.01

/**
 * How many consecutive steps D's loss must stay near zero before we warn: a tenth of the run, at least 20
 * steps (a few near-zero steps early on are normal) and at most 200 (long runs should hear about it soon).
 */
export function dLossWindow(totalSteps: number): number {
  return Math.min(200, Math.max(20, Math.round(totalSteps / 10)))
}

export class DLossWatch {
  private streak = 0
  private warned = false

  constructor(private readonly window: number) {}

  observe(metrics: MetricsLine): Warning | null {
    this.streak = metrics.dLoss < D_LOSS_NEAR_ZERO ? this.streak + 1 : 0
    if (this.warned || this.streak < this.window) return null
    this.warned = true
    return {
      kind: 'warning',
      code: 'd-loss-near-zero',
      step: metrics.step,
      message:
        `The discriminator's loss has stayed below ${D_LOSS_NEAR_ZERO} for ${this.streak} steps: it wins every time, ` +
        'so the generator no longer learns. Try a lower learning rate for the discriminator side, a smaller model, ' +
        'or branch from an earlier checkpoint.'
    }
  }
}

/**
 * A diversity (mean distance between fixed-noise samples) below this fraction of the best seen so far means the
 * samples have become near copies of each other: mode collapse.
 */
export const DIVERSITY_COLLAPSE_FRACTION = 0.3

export class DiversityWatch {
  private best = 0
  private warned = false

  observe(step: number, diversity: number | null): Warning | null {
    // Step 0's samples come from random weights; their spread says nothing about what the model learned.
    if (diversity === null || step === 0 || !Number.isFinite(diversity)) return null
    this.best = Math.max(this.best, diversity)
    if (this.warned || diversity >= DIVERSITY_COLLAPSE_FRACTION * this.best) return null
    this.warned = true
    const percent = Math.round((100 * diversity) / this.best)
    return {
      kind: 'warning',
      code: 'diversity-collapse',
      step,
      message:
        `The samples have become much more alike: their spread is ${percent}% of the best seen in this session. ` +
        'The generator may be collapsing onto a few outputs (mode collapse). Compare the sample grids; if they ' +
        'repeat, branch from an earlier checkpoint, perhaps with a lower learning rate.'
    }
  }
}

/**
 * A loss above this has diverged even though it is still a number. BCE of L means the network put e^−L on the
 * right answer; PyTorch's BCELoss cannot even report more than 100. Losses of thousands come only from
 * activations that have blown up (a far too high learning rate), and they do not come back: BatchNorm keeps
 * such a network finite, so waiting for a NaN would let it train on as garbage.
 */
export const EXPLODED_LOSS = 1000

/**
 * The message when a step produced a NaN, an infinity or an exploded loss, or null when the step is healthy.
 * `lastCheckpoint` is the step of the last checkpoint written (null when there is none).
 */
export function divergenceMessage(metrics: MetricsLine, lastCheckpoint: number | null): string | null {
  const values: [string, number][] = [
    ['D loss', metrics.dLoss],
    ['G loss', metrics.gLoss],
    ["D's output on real images", metrics.dReal],
    ["D's output on generated images", metrics.dFake]
  ]
  const nonFinite = values.find(([, value]) => !Number.isFinite(value))
  if (nonFinite) {
    const [what, value] = nonFinite
    return divergedAt(`${what} became ${Number.isNaN(value) ? 'NaN' : 'infinite'} at step ${metrics.step}`, lastCheckpoint)
  }
  const exploded = values.slice(0, 2).find(([, value]) => Math.abs(value) > EXPLODED_LOSS)
  if (exploded) {
    const [what, value] = exploded
    return divergedAt(`${what} exploded to ${value.toPrecision(3)} at step ${metrics.step} (training diverged)`, lastCheckpoint)
  }
  return null
}

/** The same advice when the weights themselves turned out not to be finite (found before a checkpoint). */
export function divergedWeightsMessage(step: number, lastCheckpoint: number | null): string {
  return divergedAt(`The weights became NaN or infinite by step ${step}`, lastCheckpoint)
}

function divergedAt(what: string, lastCheckpoint: number | null): string {
  return lastCheckpoint === null
    ? `${what}; there is no checkpoint to go back to — lower the learning rate and start the run again.`
    : `${what}; the last good checkpoint is step ${lastCheckpoint} — lower the learning rate and resume or branch from it.`
}
