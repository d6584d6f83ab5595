import type { FaceProbabilitiesData } from '../../../shared/api/explore'

/**
 * Filtering and sorting a sample grid by what the run's face-attribute classifier sees in each sample
 * (smiling, masculine, glasses: probabilities; pose: a distribution over left, frontal, right). A sample has
 * a binary attribute when its probability is above one half, and the pose it most probably has.
 */

export const BINARY = ['smiling', 'masculine', 'glasses'] as const
export type Binary = (typeof BINARY)[number]
export const POSE_NAMES = ['left', 'frontal', 'right'] as const
export type PoseName = (typeof POSE_NAMES)[number]

export interface AttributeFilter {
  smiling: 'any' | 'yes' | 'no'
  masculine: 'any' | 'yes' | 'no'
  glasses: 'any' | 'yes' | 'no'
  pose: 'any' | PoseName
}

export const NO_FILTER: AttributeFilter = { smiling: 'any', masculine: 'any', glasses: 'any', pose: 'any' }

export const SORTS = {
  index: 'sample order',
  'smiling-desc': 'most smiling first',
  'smiling-asc': 'least smiling first',
  'masculine-desc': 'most masculine first',
  'masculine-asc': 'least masculine first',
  'glasses-desc': 'most glasses first',
  'glasses-asc': 'least glasses first',
  'frontal-desc': 'most frontal first'
} as const
export type SortKey = keyof typeof SORTS

export function isFiltered(filter: AttributeFilter): boolean {
  return filter.smiling !== 'any' || filter.masculine !== 'any' || filter.glasses !== 'any' || filter.pose !== 'any'
}

export function poseOf(p: FaceProbabilitiesData): PoseName {
  const { left, frontal, right } = p.pose
  return frontal >= left && frontal >= right ? 'frontal' : left >= right ? 'left' : 'right'
}

export function matches(p: FaceProbabilitiesData, filter: AttributeFilter): boolean {
  for (const attribute of BINARY) {
    const wanted = filter[attribute]
    if (wanted !== 'any' && p[attribute] > 0.5 !== (wanted === 'yes')) return false
  }
  return filter.pose === 'any' || poseOf(p) === filter.pose
}

function sortValue(p: FaceProbabilitiesData, key: Exclude<SortKey, 'index'>): number {
  const [attribute, direction] = key.split('-') as [Binary | 'frontal', 'asc' | 'desc']
  const value = attribute === 'frontal' ? p.pose.frontal : p[attribute]
  return direction === 'desc' ? -value : value
}

/**
 * The positions (into `scores`) to show, in order: those that match the filter, sorted by `sort` (ties and
 * 'index' keep the grid's order). Without scores, every position in order.
 */
export function arrange(count: number, scores: readonly FaceProbabilitiesData[] | null, filter: AttributeFilter, sort: SortKey): number[] {
  const order = Array.from({ length: count }, (_, i) => i)
  if (!scores || scores.length !== count) return order
  const kept = order.filter((i) => matches(scores[i] as FaceProbabilitiesData, filter))
  if (sort === 'index') return kept
  return kept.sort((a, b) => sortValue(scores[a] as FaceProbabilitiesData, sort) - sortValue(scores[b] as FaceProbabilitiesData, sort) || a - b)
}

/** The scores as a short line for people: "smiling 0.93 · masculine 0.04 · glasses 0.12 · frontal 0.97". */
export function describeScores(p: FaceProbabilitiesData): string {
  const pose = poseOf(p)
  return `${BINARY.map((a) => `${a} ${p[a].toFixed(2)}`).join(' · ')} · ${pose} ${p.pose[pose].toFixed(2)}`
}
