import { useCallback, useRef, useSyncExternalStore } from 'react'

/**
 * What the Explore screen holds while someone works in it — the chosen model, the selection, walk keyframes
 * and settings, the A/B/C slots, the samples and every result on screen — kept outside its components, so
 * visiting another screen (which unmounts them) and coming back finds it all as it was left.
 *
 * State is kept per run: choosing another run shows that run's own state (empty the first time), and
 * choosing the first run again brings its state back. Changing the checkpoint or erasure of the same run keeps
 * the selection and slots (samples are named by seeds, valid in every checkpoint); the sample grid is redrawn
 * with the new checkpoint. It lives in memory only: reloading the page starts afresh (favourites, saved with
 * the run, come back).
 */

/** The scope of what is not per run (the run choice itself). */
export const SCREEN_SCOPE = '(screen)'

type Update<T> = T | ((current: T) => T)

const values = new Map<string, unknown>()
const listeners = new Set<() => void>()

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function keyOf(scope: string, name: string): string {
  return `${scope}\u0000${name}`
}

/** Reads a value outside React (e.g. in tests); `fallback` when it was never set. */
export function peekExploreState<T>(scope: string, name: string, fallback: T): T {
  const key = keyOf(scope, name)
  return values.has(key) ? (values.get(key) as T) : fallback
}

/** Sets a value outside React; every component showing it re-renders. */
export function setExploreState(scope: string, name: string, value: unknown): void {
  const key = keyOf(scope, name)
  if (values.has(key) && Object.is(values.get(key), value)) return
  values.set(key, value)
  for (const listener of listeners) listener()
}

/**
 * Like useState, but the value belongs to `scope` (a run id, or SCREEN_SCOPE) and outlives the component.
 * Functional updates see the stored value, also from callbacks that finish after the component is gone
 * (an answer arriving after the user left lands where it belongs: in the run it was asked for).
 */
export function useExploreState<T>(scope: string, name: string, initial: T): [T, (next: Update<T>) => void] {
  // The first initial value, so the snapshot of an unset key stays the same object from render to render.
  const fallback = useRef(initial)
  const key = keyOf(scope, name)
  const value = useSyncExternalStore(subscribe, () => (values.has(key) ? (values.get(key) as T) : fallback.current))
  const set = useCallback(
    (next: Update<T>) => {
      const current = values.has(key) ? (values.get(key) as T) : fallback.current
      setExploreState(scope, name, typeof next === 'function' ? (next as (current: T) => T)(current) : next)
    },
    [key, scope, name]
  )
  return [value, set]
}
