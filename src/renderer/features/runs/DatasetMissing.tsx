import { useState } from 'react'
import type { RunRecord } from '../../../shared/formats/run'
import { studio } from '../../api/client'
import { errorText, useStudioData } from '../../api/hooks'

/** Says that a run's dataset is not in the library, and what training it further will do about that. */
export function DatasetMissing({ record, resumeLabel }: { record: RunRecord; resumeLabel: string }) {
  if (record.dataset === null) return <ChooseDataset record={record} />
  return (
    <p className="muted" data-testid="run-dataset-missing">
      Its dataset “{record.dataset.name}” is not in this library
      {record.dataset.recipe
        ? `: "${resumeLabel}" makes it again first (the run records how it was made).`
        : ': its checkpoints can still be explored, but it cannot train further without it.'}
    </p>
  )
}

/** A model imported from elsewhere has no dataset until one of its size and channels is chosen to train it on. */
function ChooseDataset({ record }: { record: RunRecord }) {
  const datasets = useStudioData(() => studio.call('datasets.list'), [])
  const fitting = (datasets.data ?? []).filter((d) => d.size === record.model.imageSize && d.channels === record.model.channels)
  const [chosen, setChosen] = useState('')
  const [error, setError] = useState<string | null>(null)
  const kind = `${record.model.imageSize} px ${record.model.channels === 1 ? 'grayscale' : 'colour'}`
  const choose = async (): Promise<void> => {
    setError(null)
    try {
      // The run's record changes; the screens listening for runs.changed show the dataset and Resume trains on it.
      await studio.call('runs.chooseDataset', { id: record.id, datasetId: chosen })
    } catch (err) {
      setError(errorText(err))
    }
  }
  return (
    <div data-testid="run-dataset-missing">
      <p className="muted">
        This model was imported without a dataset: it can be explored and exported as it is. To train it further, choose a dataset of {kind} images
        {fitting.length === 0 && datasets.data ? ' (there is none in this library yet: import one under Datasets at that size)' : ''}.
      </p>
      {fitting.length > 0 && (
        <div className="row">
          <label>
            Train it on{' '}
            <select value={chosen} onChange={(e) => setChosen(e.target.value)} data-testid="run-choose-dataset">
              <option value="">choose a dataset…</option>
              {fitting.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({d.count} × {d.size}px)
                </option>
              ))}
            </select>
          </label>
          <button type="button" disabled={chosen === ''} onClick={() => void choose()} data-testid="run-choose-dataset-ok">
            Use this dataset
          </button>
        </div>
      )}
      {error && <p className="error">{error}</p>}
    </div>
  )
}
