import type { MeasurePolicy } from './configs'

/**
 * Seconds per call of `run`: warm-up calls first (not timed), then timed calls until the policy is met.
 * `check` runs once after the warm-up and once at the end (to compare, e.g., tensor counts).
 */
export async function timeCalls(run: () => Promise<void>, policy: MeasurePolicy, check?: (phase: 'warm' | 'done') => void): Promise<number[]> {
  for (let i = 0; i < policy.warmup; i++) await run()
  check?.('warm')
  const seconds: number[] = []
  const started = performance.now()
  while (seconds.length < policy.minIterations || ((performance.now() - started) / 1000 < policy.minSeconds && seconds.length < policy.maxIterations)) {
    const t0 = performance.now()
    await run()
    seconds.push((performance.now() - t0) / 1000)
  }
  check?.('done')
  return seconds
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('The median of no measurements is undefined.')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  // The mean of the middle two for an even count, as Python's statistics.median (the reference) does.
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}
