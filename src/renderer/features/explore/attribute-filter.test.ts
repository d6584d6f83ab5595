import { describe, expect, it } from 'vitest'
import type { FaceProbabilitiesData } from '../../../shared/api/explore'
import { NO_FILTER, arrange, describeScores, isFiltered, matches, poseOf } from './attribute-filter'

const face = (smiling: number, masculine: number, glasses: number, pose: [number, number, number] = [0.1, 0.8, 0.1]): FaceProbabilitiesData => ({
  smiling,
  masculine,
  glasses,
  pose: { left: pose[0], frontal: pose[1], right: pose[2] }
})

describe('filtering and sorting samples by face attribute', () => {
  const scores = [face(0.9, 0.1, 0.2), face(0.2, 0.9, 0.8, [0.7, 0.2, 0.1]), face(0.7, 0.3, 0.6), face(0.95, 0.05, 0.1, [0.1, 0.2, 0.7])]

  it('keeps the samples the classifier sees with the chosen attributes (above one half) and pose (the most probable)', () => {
    expect(arrange(4, scores, { ...NO_FILTER, smiling: 'yes', masculine: 'no' }, 'index')).toEqual([0, 2, 3])
    expect(arrange(4, scores, { ...NO_FILTER, glasses: 'no' }, 'index')).toEqual([0, 3])
    expect(arrange(4, scores, { ...NO_FILTER, pose: 'left' }, 'index')).toEqual([1])
    expect(arrange(4, scores, { ...NO_FILTER, smiling: 'yes', pose: 'frontal' }, 'index')).toEqual([0, 2])
    expect(matches(face(0.5, 0, 0), { ...NO_FILTER, smiling: 'yes' })).toBe(false)
  })

  it('sorts the kept samples by score, ties in grid order', () => {
    expect(arrange(4, scores, NO_FILTER, 'smiling-desc')).toEqual([3, 0, 2, 1])
    expect(arrange(4, scores, NO_FILTER, 'glasses-asc')).toEqual([3, 0, 2, 1])
    expect(arrange(4, scores, { ...NO_FILTER, smiling: 'yes' }, 'frontal-desc')).toEqual([0, 2, 3])
    expect(arrange(3, [face(0.5, 0, 0), face(0.5, 0, 0), face(0.9, 0, 0)], NO_FILTER, 'smiling-desc')).toEqual([2, 0, 1])
  })

  it('shows every sample in order while there are no scores (or stale ones of another grid)', () => {
    expect(arrange(3, null, { ...NO_FILTER, smiling: 'yes' }, 'smiling-desc')).toEqual([0, 1, 2])
    expect(arrange(3, scores, { ...NO_FILTER, smiling: 'yes' }, 'smiling-desc')).toEqual([0, 1, 2])
  })

  it('says what it sees in one line, and whether a filter is on', () => {
    expect(describeScores(scores[1] as FaceProbabilitiesData)).toBe('smiling 0.20 · masculine 0.90 · glasses 0.80 · left 0.70')
    expect(poseOf(face(0, 0, 0, [0.2, 0.2, 0.6]))).toBe('right')
    expect(isFiltered(NO_FILTER)).toBe(false)
    expect(isFiltered({ ...NO_FILTER, pose: 'right' })).toBe(true)
  })
})
