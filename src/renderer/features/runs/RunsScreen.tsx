import { useState } from 'react'
import { isFinished } from '../../../shared/api/jobs'
import { studio } from '../../api/client'
import { errorText, useDemoRunId, useJobs, useStudioData, useStudioEvent } from '../../api/hooks'
import { JobProgress } from '../../components/ProgressBar'
import { useDialogs } from '../../components/dialogs'
import { runBadge } from '../../../shared/api/runs'
import { DatasetMissing } from './DatasetMissing'
import { ImportedProvenance } from './ImportedProvenance'
import './runs.css'
import { ExportModelDialog, ImportModelDialog } from './ModelFileDialogs'
import { recreateJobOf, resumeRun } from './run-actions'

/** Every run in the library: status, checkpoints, resume, branch from a checkpoint, delete. */
export function RunsScreen({ onOpen }: { onOpen: (runId: string) => void }) {
  const runs = useStudioData(() => studio.call('runs.list'), [])
  const [selected, setSelected] = useState<string | null>(null)
  const demoRunId = useDemoRunId()
  const [importing, setImporting] = useState(false)
  useStudioEvent('runs.changed', () => runs.reload())
  return (
    <div className="screen two-columns">
      <section className="card column">
        <h2>Runs</h2>
        <div className="row">
          <button
            type="button"
            onClick={() => setImporting(true)}
            data-testid="runs-import-model"
            title="A DCGAN trained elsewhere: PyTorch's dcgan/main.py, safetensors, or a tfjs export"
          >
            Import a model…
          </button>
        </div>
        {importing && (
          <ImportModelDialog
            onClose={() => setImporting(false)}
            onImported={(record) => {
              runs.reload()
              setSelected(record.id)
            }}
          />
        )}
        {runs.error && <p className="error">{runs.error}</p>}
        {runs.data?.length === 0 && <p className="muted">No runs yet: create one under Train.</p>}
        <ul className="list" data-testid="run-list">
          {runs.data?.map((run) => {
            const badge = runBadge(run, demoRunId)
            return (
              <li key={run.record.id}>
                <button type="button" className={selected === run.record.id ? 'on' : ''} onClick={() => setSelected(run.record.id)}>
                  <b>{run.record.name}</b>
                  <span className="muted" data-testid="run-list-status">
                    <span className={badge.className}>{badge.label}</span> {badge.progress}
                  </span>
                </button>
              </li>
            )
          })}
        </ul>
      </section>
      {selected && (
        <RunCheckpoints key={selected} runId={selected} demoRunId={demoRunId} onOpen={onOpen} onChanged={runs.reload} onDeleted={() => setSelected(null)} />
      )}
    </div>
  )
}

function RunCheckpoints({
  runId,
  demoRunId,
  onOpen,
  onChanged,
  onDeleted
}: {
  runId: string
  demoRunId: string | null
  onOpen: (id: string) => void
  onChanged: () => void
  onDeleted: () => void
}) {
  const details = useStudioData(() => studio.call('runs.get', { id: runId }), [runId])
  const recreating = recreateJobOf(useJobs(), runId)
  // Training or a recreated dataset changes what the details say (status, dataset present, Resume).
  useStudioEvent('runs.changed', (record) => record.id === runId && details.reload())
  useStudioEvent('jobs.changed', (job) => job.target?.id === runId && isFinished(job.state) && details.reload())
  const [error, setError] = useState<string | null>(null)
  const [exporting, setExporting] = useState(false)
  const dialogs = useDialogs()
  const d = details.data
  if (!d) return <section className="card grow">{details.error ? <p className="error">{details.error}</p> : 'Loading…'}</section>
  const resumeLabel = d.latestStep === null ? 'Start' : d.record.id === demoRunId ? 'Train further' : 'Resume'

  const act = async (action: () => Promise<unknown>): Promise<void> => {
    setError(null)
    try {
      await action()
      onChanged()
      details.reload()
    } catch (err) {
      setError(errorText(err))
    }
  }
  const remove = async (): Promise<void> => {
    const sure = await dialogs.confirm({
      title: 'Delete this run?',
      message: `Delete the run "${d.record.name}" with its ${d.checkpoints.length} checkpoints, sample timeline, favourites, concepts and erasures? Exports stay. This cannot be undone.`,
      confirmLabel: 'Delete run',
      danger: true
    })
    if (!sure) return
    await act(() => studio.call('runs.delete', { id: runId }))
    onDeleted()
  }

  return (
    <section className="card grow" data-testid="run-details">
      <h2>
        {d.record.name}{' '}
        <span className={runBadge(d, demoRunId).className} data-testid="run-details-status">
          {runBadge(d, demoRunId).label}
        </span>
      </h2>
      <p className="muted">{d.record.statusMessage}</p>
      <p className="muted">
        {d.record.dataset ? `Dataset ${d.record.dataset.name}` : `Imported from ${d.record.imported?.files.map((f) => f.name).join(' and ') ?? 'elsewhere'}`} ·{' '}
        {d.record.model.imageSize}px · trained {d.record.cost.steps} steps in {Math.round(d.record.cost.seconds)} s
        {d.record.cost.backend ? ` on ${d.record.cost.backend}` : ''}
        {d.record.branchedFrom ? ` · branched from ${d.record.branchedFrom.runId} at step ${d.record.branchedFrom.step}` : ''}
      </p>
      <ImportedProvenance record={d.record} />
      {!d.datasetPresent && !d.training && <DatasetMissing record={d.record} resumeLabel={resumeLabel} />}
      <div className="row">
        <button type="button" onClick={() => onOpen(runId)}>
          Open in Train
        </button>
        {!d.training && (
          <button
            type="button"
            disabled={Boolean(recreating)}
            data-testid="run-resume"
            onClick={() =>
              void act(async () => {
                const job = await resumeRun(d, dialogs)
                // Training shows in the run view; a recreate job shows its progress here first.
                if (job?.kind === 'train') onOpen(runId)
              })
            }
          >
            {resumeLabel}
          </button>
        )}
        <button
          type="button"
          disabled={d.latestStep === null}
          onClick={() => setExporting(true)}
          data-testid="run-export-model"
          title="PyTorch state dicts, safetensors, or tfjs with an ml5 manifest"
        >
          Export model…
        </button>
        <button type="button" className="danger" disabled={d.training} onClick={() => void remove()} data-testid="run-delete">
          Delete…
        </button>
      </div>
      {exporting && <ExportModelDialog record={d.record} step={null} onClose={() => setExporting(false)} />}
      {recreating && <JobProgress job={recreating} onCancel={() => void studio.call('jobs.cancel', { id: recreating.id })} />}
      {error && <p className="error">{error}</p>}
      <h3>Checkpoints</h3>
      {d.checkpoints.length === 0 && <p className="muted">None yet.</p>}
      <table className="report" data-testid="checkpoint-list">
        <tbody>
          {[...d.checkpoints].reverse().map((c) => (
            <tr key={c.step}>
              <td>step {c.step}</td>
              <td className="muted">{new Date(c.writtenAt).toLocaleString()}</td>
              <td>
                <button
                  type="button"
                  className="small"
                  onClick={() => void act(() => studio.call('runs.branch', { id: runId, step: c.step }))}
                  title="A new run that continues from this checkpoint"
                >
                  Branch
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
