import { Rng } from '../../shared/latent/random'
import type { DatasetChannels } from '../../shared/formats/dataset'

// Datasets in the real on-disk format are written by the helper the shared dataset opener is tested with.
export { writeDataset } from '../../node/test-datasets'

/**
 * Bright discs of random radius and position on a dark background (a little noise on both), coloured at
 * random when `channels` is 3. Simple enough that a tiny DCGAN visibly learns it in a hundred steps.
 */
export function discImages(count: number, size: number, channels: DatasetChannels, seed: number): Uint8Array {
  const rng = new Rng(seed)
  const out = new Uint8Array(count * size * size * channels)
  for (let n = 0; n < count; n++) {
    const radius = size * (0.15 + 0.15 * rng.next())
    const cx = radius + (size - 2 * radius) * rng.next()
    const cy = radius + (size - 2 * radius) * rng.next()
    const colour = Array.from({ length: channels }, () => (channels === 1 ? 255 : 128 + Math.floor(127 * rng.next())))
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius ** 2
        for (let c = 0; c < channels; c++) {
          const base = inside ? (colour[c] as number) - 20 : 0
          out[((n * size + y) * size + x) * channels + c] = base + Math.floor(20 * rng.next())
        }
      }
    }
  }
  return out
}
