import { useState } from 'react'
import { studio } from '../../api/client'
import { useJobs, useStudioData, useStudioEvent } from '../../api/hooks'
import { JobProgress } from '../../components/ProgressBar'
import { DatasetDetail } from './DatasetDetail'
import { ImportForm } from './ImportForm'

export function DatasetsScreen() {
  const datasets = useStudioData(() => studio.call('datasets.list'), [])
  const [selected, setSelected] = useState<string | null>(null)
  const jobs = useJobs().filter((j) => j.kind === 'import')
  useStudioEvent('jobs.changed', (job) => {
    if (job.kind !== 'import' || job.state !== 'done') return
    datasets.reload()
    const id = (job.result as { manifest?: { id?: string } } | undefined)?.manifest?.id
    if (id) setSelected(id)
  })

  return (
    <div className="screen two-columns">
      <div className="column">
        <ImportForm onStarted={() => undefined} />
        {jobs.slice(0, 3).map((job) => (
          <JobProgress key={job.id} job={job} onCancel={() => void studio.call('jobs.cancel', { id: job.id })} />
        ))}
        <section className="card">
          <h2>Datasets</h2>
          {datasets.error && <p className="error">{datasets.error}</p>}
          {datasets.data?.length === 0 && <p className="muted">No datasets yet: import a folder of images.</p>}
          <ul className="list" data-testid="dataset-list">
            {datasets.data?.map((d) => (
              <li key={d.id}>
                <button type="button" className={selected === d.id ? 'on' : ''} onClick={() => setSelected(d.id)}>
                  <b>{d.name}</b>
                  <span className="muted">
                    {d.count} · {d.size}px · {d.channels === 1 ? 'gray' : 'RGB'}
                    {d.summary.skipped + d.summary.duplicate > 0 ? ` · ${d.summary.skipped + d.summary.duplicate} not imported` : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      </div>
      {selected && (
        <DatasetDetail
          key={selected}
          id={selected}
          onDeleted={() => {
            setSelected(null)
            datasets.reload()
          }}
        />
      )}
    </div>
  )
}
