import { describe, expect, it } from 'vitest'
import type { DatasetListing } from '../../../shared/api/datasets'
import { overlapWarning, trainingOverlap } from './probe-data'

const dataset = (id: string, source: DatasetListing['source']): DatasetListing => ({
  id,
  name: id,
  createdAt: '2026-01-01T00:00:00.000Z',
  size: 32,
  channels: 1,
  count: 100,
  source,
  summary: { seen: 100, imported: 100, skipped: 0, duplicate: 0, hiddenIgnored: 0 },
  labelled: true
})
const train = dataset('fashion-train', { kind: 'idx', imagesPath: '/data/train-images-idx3-ubyte.gz', labelsPath: '/data/train-labels-idx1-ubyte.gz' })
const again = dataset('fashion-train-again', { kind: 'idx', imagesPath: '/data/train-images-idx3-ubyte.gz' })
const heldOut = dataset('fashion-t10k', { kind: 'idx', imagesPath: '/data/t10k-images-idx3-ubyte.gz' })

describe("probing on the GAN's own training data", () => {
  it('is noticed for the training dataset itself and for another import of the same file, not for held-out data', () => {
    const all = [train, again, heldOut]
    expect(trainingOverlap(train, train.id, all)).toBe('same-dataset')
    expect(trainingOverlap(again, train.id, all)).toBe('same-source')
    expect(trainingOverlap(heldOut, train.id, all)).toBeNull()
    // The training dataset was deleted: nothing to compare with.
    expect(trainingOverlap(heldOut, 'gone', all)).toBeNull()
  })

  it('says so, and what to use instead', () => {
    expect(overlapWarning('same-dataset', 'fashion')).toMatch(/^“fashion” is the dataset this GAN was trained on: .*held-out data/)
    expect(overlapWarning(null, 'fashion')).toBeNull()
  })
})
