import { describe, expect, it } from 'vitest'
import { splitByClass } from './split'

/** 3 classes: 0 and 2 with 30 images each, 1 with 12; interleaved as a real file would be. */
const labels = Uint8Array.from({ length: 72 }, (_, i) => (i % 6 === 5 ? 1 : i % 2 === 0 ? 0 : 2))

describe('splitByClass', () => {
  it('takes per-class training and validation images and tests on a sample of the rest, with no overlap', () => {
    const split = splitByClass(labels, 4, 3, 20, 1)
    expect(split.classList).toEqual([0, 1, 2])
    expect(split.train).toHaveLength(12)
    expect(split.validation).toHaveLength(9)
    expect(split.test).toHaveLength(20)
    for (const label of [0, 1, 2]) {
      expect(Array.from(split.train).filter((i) => labels[i] === label)).toHaveLength(4)
      expect(Array.from(split.validation).filter((i) => labels[i] === label)).toHaveLength(3)
    }
    const all = [...split.train, ...split.validation, ...split.test]
    expect(new Set(all).size).toBe(all.length)
    // Sorted, so reading walks the file forwards.
    expect(Array.from(split.test)).toEqual([...split.test].sort((a, b) => a - b))
  })

  it('tests on everything left when fewer than the maximum remain', () => {
    expect(splitByClass(labels, 4, 3, 1000, 1).test).toHaveLength(72 - 21)
  })

  it('draws the same images for the same seed and others for another', () => {
    expect(Array.from(splitByClass(labels, 4, 3, 20, 5).train)).toEqual(Array.from(splitByClass(labels, 4, 3, 20, 5).train))
    expect(Array.from(splitByClass(labels, 4, 3, 20, 6).train)).not.toEqual(Array.from(splitByClass(labels, 4, 3, 20, 5).train))
  })

  it('says which class is too small and what to lower', () => {
    expect(() => splitByClass(labels, 8, 8, 20, 1)).toThrow(/Class 1 has only 12 images.*at most 5/)
  })

  it('names the class when the dataset has class names', () => {
    expect(() => splitByClass(labels, 8, 8, 20, 1, ['shirt', 'boot', 'bag'])).toThrow(/Class 1 \("boot"\) has only 12 images/)
  })

  it('needs two classes', () => {
    expect(() => splitByClass(new Uint8Array(10), 2, 2, 5, 1)).toThrow(/at least two/)
  })
})
