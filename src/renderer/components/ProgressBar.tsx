import type { Job } from '../../shared/api/jobs'
import { isFinished } from '../../shared/api/jobs'

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return ''
  if (seconds < 60) return `${Math.ceil(seconds)} s left`
  if (seconds < 3600) return `${Math.round(seconds / 60)} min left`
  return `${(seconds / 3600).toFixed(1)} h left`
}

/** One job: a progress bar (indeterminate while the total is unknown), its message, ETA and a cancel button. */
export function JobProgress({ job, onCancel }: { job: Job; onCancel?: () => void }) {
  const finished = isFinished(job.state)
  const percent = job.progress === null ? null : Math.round(job.progress * 100)
  return (
    <div className={`job job-${job.state}`} data-testid="job" data-job-kind={job.kind} data-job-state={job.state}>
      <div className="job-head">
        <b>{job.title}</b>
        <span className="muted">{job.state === 'running' ? (percent === null ? '' : `${percent}%`) : job.state}</span>
        {!finished && onCancel && (
          <button type="button" className="small" onClick={onCancel} title="Cancel (stops after the current step)">
            {job.kind === 'train' ? 'Stop' : 'Cancel'}
          </button>
        )}
      </div>
      <div
        className={`bar${percent === null && !finished ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
      >
        <div style={{ width: `${finished && job.state === 'done' ? 100 : (percent ?? 0)}%` }} />
      </div>
      <div className={job.state === 'failed' ? 'error' : 'muted'}>
        {job.message} {!finished && formatEta(job.etaSeconds)}
      </div>
    </div>
  )
}
