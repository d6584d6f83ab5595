import { useCallback, useEffect, useRef, useState } from 'react'
import type { EventPayload, StudioEvent } from '../../shared/api/contract'
import type { Job } from '../../shared/api/jobs'
import { studio } from './client'

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Loads something from the studio; `reload()` fetches again. Stale answers never overwrite newer ones. */
export function useStudioData<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<string | null>(null)
  const ticket = useRef(0)
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps name what load reads, as with useEffect
  const run = useCallback(load, deps)
  const reload = useCallback(() => {
    const mine = ++ticket.current
    run().then(
      (value) => {
        if (mine !== ticket.current) return
        setData(value)
        setError(null)
      },
      (err: unknown) => {
        if (mine === ticket.current) setError(errorText(err))
      }
    )
  }, [run])
  useEffect(() => {
    reload()
  }, [reload])
  return { data, error, reload }
}

/** The demo run's id when the demo is in this library (it is shown as a finished model, not a stopped run). */
export function useDemoRunId(): string | null {
  return useStudioData(() => studio.call('library.info'), []).data?.demoRunId ?? null
}

/** Subscribes to a studio event for the lifetime of the component. */
export function useStudioEvent<E extends StudioEvent>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const latest = useRef(listener)
  latest.current = listener
  useEffect(() => studio.on(event, (payload) => latest.current(payload)), [event])
}

/** All jobs, kept current by `jobs.changed` events. */
export function useJobs(): Job[] {
  const [jobs, setJobs] = useState<Map<string, Job>>(new Map())
  useEffect(() => {
    void studio.call('jobs.list').then((list) => setJobs((old) => new Map([...list.map((j) => [j.id, j] as const), ...old])))
  }, [])
  useStudioEvent('jobs.changed', (job) => setJobs((old) => new Map(old).set(job.id, job)))
  return [...jobs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt))
}
