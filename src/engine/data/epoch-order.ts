import { Rng, shuffleInPlace } from '../../shared/latent/random'

/**
 * The order images are visited in: a fresh shuffle every epoch, derived from the run's seed and the epoch
 * number alone. Because an epoch's order can be recomputed from (seed, epoch), a data cursor is just
 * (epoch, position) — two integers a checkpoint can store — and resuming continues the same stream exactly.
 */
export interface DataCursor {
  /** Epochs completed before the current one (0 during the first pass over the data). */
  readonly epoch: number
  /** How many images of this epoch's shuffled order were already used. Always below the dataset's count. */
  readonly position: number
}

/** The seed of one epoch's shuffle: the run seed and the epoch mixed, so neighbouring epochs look unrelated. */
function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed >>> 0, 0x2c1b3c6d) ^ Math.imul(epoch + 1, 0x297a2d39) ^ 0x5bd1e995) >>> 0
}

/**
 * Writes epoch `epoch`'s permutation of 0 … out.length−1 into `out` (Fisher–Yates), reusing the array so a
 * dataset of millions of images does not allocate a new order every epoch.
 */
export function epochPermutation(seed: number, epoch: number, out: Uint32Array): Uint32Array {
  const rng = new Rng(epochSeed(seed, epoch))
  for (let i = 0; i < out.length; i++) out[i] = i
  return shuffleInPlace(out, rng)
}

/**
 * Walks the shuffled order batch by batch. A batch that runs past the end of an epoch continues into the next
 * epoch's order, so every batch is full (BatchNorm and the compiled kernels want one batch shape).
 */
export class EpochOrder {
  private readonly order: Uint32Array
  private epochValue = 0
  private positionValue = 0

  constructor(
    private readonly seed: number,
    readonly count: number,
    cursor: DataCursor = { epoch: 0, position: 0 }
  ) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`A dataset needs at least one image to shuffle (got ${count}).`)
    this.order = new Uint32Array(count)
    this.seek(cursor)
  }

  get cursor(): DataCursor {
    return { epoch: this.epochValue, position: this.positionValue }
  }

  /** Jumps to a saved cursor, e.g. the one stored in a checkpoint. */
  seek(cursor: DataCursor): void {
    const { epoch, position } = cursor
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(position) || position < 0 || position >= this.count) {
      throw new Error(
        `The data cursor (epoch ${epoch}, position ${position}) does not fit a dataset of ${this.count} images. ` +
          'The checkpoint was probably made with a different dataset; branch a new run from it instead.'
      )
    }
    this.epochValue = epoch
    this.positionValue = position
    epochPermutation(this.seed, epoch, this.order)
  }

  /**
   * Fills `out` with the next `out.length` image indices and advances. Returns the epoch the first of them
   * belongs to.
   */
  take(out: Uint32Array): number {
    const firstEpoch = this.epochValue
    for (let i = 0; i < out.length; i++) {
      out[i] = this.order[this.positionValue] as number
      this.positionValue += 1
      if (this.positionValue === this.count) {
        this.epochValue += 1
        this.positionValue = 0
        epochPermutation(this.seed, this.epochValue, this.order)
      }
    }
    return firstEpoch
  }
}
