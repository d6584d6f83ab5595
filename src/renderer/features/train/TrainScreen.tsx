import { RunMonitor } from '../runs/RunMonitor'
import { NewRunForm } from './NewRunForm'

export function TrainScreen({ runId, onRunChosen }: { runId: string | null; onRunChosen: (id: string) => void }) {
  return (
    <div className="screen two-columns">
      <div className="column">
        <NewRunForm onCreated={onRunChosen} />
      </div>
      {runId ? <RunMonitor key={runId} runId={runId} /> : <p className="muted">Create a run, or pick one under Runs, to watch it train.</p>}
    </div>
  )
}
