import { useState } from 'react'
import { studio } from '../../api/client'
import { errorText, useStudioData, useStudioEvent } from '../../api/hooks'

/** Every run in the library: status, checkpoints, resume, branch from a checkpoint, delete. */
export function RunsScreen({ onOpen }: { onOpen: (runId: string) => void }) {
  const runs = useStudioData(() => studio.call('runs.list'), [])
  const [selected, setSelected] = useState<string | null>(null)
  useStudioEvent('runs.changed', () => runs.reload())
  return (
    <div className="screen two-columns">
      <section className="card column">
        <h2>Runs</h2>
        {runs.error && <p className="error">{runs.error}</p>}
        {runs.data?.length === 0 && <p className="muted">No runs yet: create one under Train.</p>}
        <ul className="list" data-testid="run-list">
          {runs.data?.map(({ record, latestStep }) => (
            <li key={record.id}>
              <button type="button" className={selected === record.id ? 'on' : ''} onClick={() => setSelected(record.id)}>
                <b>{record.name}</b>
                <span className="muted">
                  <span className={`pill pill-${record.status}`}>{record.status}</span> step {latestStep ?? 0}/{record.train.steps}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {selected && <RunCheckpoints key={selected} runId={selected} onOpen={onOpen} onChanged={runs.reload} onDeleted={() => setSelected(null)} />}
    </div>
  )
}

function RunCheckpoints({ runId, onOpen, onChanged, onDeleted }: { runId: string; onOpen: (id: string) => void; onChanged: () => void; onDeleted: () => void }) {
  const details = useStudioData(() => studio.call('runs.get', { id: runId, }), [runId])
  const [error, setError] = useState<string | null>(null)
  const d = details.data
  if (!d) return <section className="card grow">{details.error ? <p className="error">{details.error}</p> : 'Loading…'}</section>

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
    if (!window.confirm(`Delete the run "${d.record.name}" with its ${d.checkpoints.length} checkpoints, sample timeline, favourites, concepts and erasures? Exports stay. This cannot be undone.`)) return
    await act(() => studio.call('runs.delete', { id: runId }))
    onDeleted()
  }

  return (
    <section className="card grow" data-testid="run-details">
      <h2>
        {d.record.name} <span className={`pill pill-${d.record.status}`}>{d.record.status}</span>
      </h2>
      <p className="muted">{d.record.statusMessage}</p>
      <p className="muted">
        Dataset {d.record.dataset.name} · {d.record.model.imageSize}px · trained {d.record.cost.steps} steps in {Math.round(d.record.cost.seconds)} s
        {d.record.cost.backend ? ` on ${d.record.cost.backend}` : ''}
        {d.record.branchedFrom ? ` · branched from ${d.record.branchedFrom.runId} at step ${d.record.branchedFrom.step}` : ''}
      </p>
      <div className="row">
        <button type="button" onClick={() => onOpen(runId)}>
          Open in Train
        </button>
        {!d.training && (
          <button type="button" onClick={() => void act(async () => { await studio.call('runs.start', { id: runId }); onOpen(runId) })}>
            {d.latestStep === null ? 'Start' : 'Resume'}
          </button>
        )}
        <button type="button" className="danger" disabled={d.training} onClick={() => void remove()} data-testid="run-delete">
          Delete…
        </button>
      </div>
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
                <button type="button" className="small" onClick={() => void act(() => studio.call('runs.branch', { id: runId, step: c.step }))} title="A new run that continues from this checkpoint">
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
