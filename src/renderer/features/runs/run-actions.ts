import type { Job } from '../../../shared/api/jobs'
import { isFinished } from '../../../shared/api/jobs'
import type { RunListing } from '../../../shared/api/runs'
import { studio } from '../../api/client'
import type { Dialogs } from '../../components/dialogs'

/** The recreate-dataset job working for this run, if one is. */
export function recreateJobOf(jobs: Job[], runId: string): Job | undefined {
  return jobs.find((j) => j.kind === 'import' && j.target?.kind === 'run' && j.target.id === runId && !isFinished(j.state))
}

/**
 * Resumes (or starts) training. A run whose dataset has left the library but is recorded as a recipe (the
 * demo's 12,000 procedural faces) first offers to make it again — a job that then resumes training itself.
 * Resolves with the job started, or null when the user declined.
 */
export async function resumeRun(run: Pick<RunListing, 'record' | 'datasetPresent' | 'latestStep'>, dialogs: Dialogs): Promise<Job | null> {
  const { record } = run
  const dataset = record.dataset
  const recipe = dataset?.recipe
  if (run.datasetPresent || !dataset || !recipe) return studio.call('runs.start', { id: record.id })
  const sure = await dialogs.confirm({
    title: 'Recreate the dataset first?',
    message:
      `This run trains on "${dataset.name}", which is not in this library. It can be made again exactly: ` +
      `${recipe.count.toLocaleString('en-US')} procedural faces (${recipe.size} px, seed ${recipe.seed}), drawn and imported as ` +
      `dcgan-studio make-faces and import would (${recreateEstimate(recipe.count)}). Then training resumes from ${run.latestStep === null ? 'the start' : `its checkpoint at step ${run.latestStep.toLocaleString('en-US')}`}.`,
    confirmLabel: 'Recreate and resume'
  })
  if (!sure) return null
  return studio.call('runs.recreateDataset', { id: record.id, resume: true })
}

/** How long it takes, roughly: drawing and importing run at tens to hundreds of faces a second, by machine. */
function recreateEstimate(count: number): string {
  return count <= 2000 ? 'a minute or so' : 'several minutes; the job shows its progress and can be cancelled'
}
