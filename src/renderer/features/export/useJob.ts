import { useJobs } from '../../api/hooks'
import type { Job } from '../../../shared/api/jobs'

/** One job, kept current by `jobs.changed` events (including changes that arrived before its id was known). */
export function useJob(id: string | null): Job | null {
  const jobs = useJobs()
  return id === null ? null : (jobs.find((job) => job.id === id) ?? null)
}
