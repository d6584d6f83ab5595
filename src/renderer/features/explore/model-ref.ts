import { useState } from 'react'
import type { RunCheckpointRef } from '../../../shared/api/explore'

/** The model the Explore and Experiments screens work on, as the run picker holds it. */
export interface ModelChoice {
  id: string
  step: number | null
  zDim: number
  imageSize: number
  /** A saved erasure's id (paper Fig. 6): G draws without its maps. It pins its own checkpoint (`step`). */
  erasure: string | null
}

/** The model as requests name it: the run, its checkpoint and the erasure to draw with. */
export function runRef(model: ModelChoice): RunCheckpointRef {
  return { id: model.id, step: model.step, erasure: model.erasure }
}

/** A reference as a dependency key: which model it names, whatever object carries it. */
export function runKey(run: RunCheckpointRef): string {
  return JSON.stringify([run.id, run.step ?? null, run.erasure ?? null])
}

/**
 * `run` as one object for as long as it names the same model (by `runKey`), so effects and callbacks can
 * depend on it although callers build a fresh reference every render.
 */
export function useRunRef(run: RunCheckpointRef): RunCheckpointRef {
  const key = runKey(run)
  // Adjusting state while rendering (React's way to keep something from an earlier render).
  const [kept, setKept] = useState({ key, run })
  if (kept.key === key) return kept.run
  setKept({ key, run })
  return run
}
