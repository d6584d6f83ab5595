import type { Box } from '../../shared/api/forget'
import { Rng, shuffleInPlace } from '../../shared/latent/random'

/**
 * Which activations of a feature layer are examples of the boxed object (paper Fig. 6): a location is
 * positive when the centre of its cell lies inside one of its sample's boxes, and negatives are random
 * locations of the same samples outside every box. Locations are numbered sample-major, row by row, the
 * order of the layer's output [samples, height, width, channels].
 */

export interface Locations {
  positives: number[]
  negatives: number[]
}

/**
 * How negatives are drawn. `random` (the paper's): random locations of the samples outside every box, so the
 * regression learns what sets the object apart from the rest of the image. `matched`: the same cells as the
 * positives, taken from samples whose boxes do not cover them, so it learns what sets the object apart from
 * what is drawn in its place without it — glasses rather than eyes, when the object always sits in one place.
 */
export type NegativeSampling = 'random' | 'matched'

export function pickLocations(
  boxes: readonly (readonly Box[])[],
  height: number,
  width: number,
  negativesPerPositive: number,
  seed: number,
  sampling: NegativeSampling = 'random'
): Locations {
  const cells = height * width
  const positives: number[] = []
  const outside: number[] = []
  const insideBySample = boxes.map((sampleBoxes) => {
    const inside = new Set<number>()
    for (const box of sampleBoxes) for (const cell of cellsIn(box, height, width)) inside.add(cell)
    return inside
  })
  insideBySample.forEach((inside, sample) => {
    for (let cell = 0; cell < cells; cell++) (inside.has(cell) ? positives : outside).push(sample * cells + cell)
  })
  const rng = new Rng(seed)
  const wanted = Math.max(1, Math.round(positives.length * negativesPerPositive))
  if (sampling === 'random') {
    shuffleInPlace(outside, rng)
    return { positives, negatives: outside.slice(0, Math.min(wanted, outside.length)).sort((a, b) => a - b) }
  }
  // Per cell, the samples that do not have the object there.
  const freeAt = Array.from({ length: cells }, (_, cell) => insideBySample.flatMap((inside, sample) => (inside.has(cell) ? [] : [sample])))
  const negatives = new Set<number>()
  for (let k = 0; k < wanted * 4 && negatives.size < wanted; k++) {
    const cell = (positives[k % positives.length] as number) % cells
    const free = freeAt[cell] as number[]
    if (free.length > 0) negatives.add((free[Math.floor(rng.next() * free.length)] as number) * cells + cell)
  }
  return { positives, negatives: [...negatives].sort((a, b) => a - b) }
}

/** Cells whose centre is inside the box; a box smaller than a cell still claims the cell under its centre. */
export function cellsIn(box: Box, height: number, width: number): number[] {
  const cells: number[] = []
  for (let row = 0; row < height; row++) {
    const y = (row + 0.5) / height
    if (y < box.y0 || y > box.y1) continue
    for (let col = 0; col < width; col++) {
      const x = (col + 0.5) / width
      if (x >= box.x0 && x <= box.x1) cells.push(row * width + col)
    }
  }
  if (cells.length > 0) return cells
  const row = Math.min(height - 1, Math.floor(((box.y0 + box.y1) / 2) * height))
  const col = Math.min(width - 1, Math.floor(((box.x0 + box.x1) / 2) * width))
  return [row * width + col]
}
