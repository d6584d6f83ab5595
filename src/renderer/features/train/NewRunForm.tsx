import { useEffect, useState } from 'react'
import { PAPER_TRAIN_DEFAULTS } from '../../../shared/formats/run'
import { studio } from '../../api/client'
import { errorText, useStudioData } from '../../api/hooks'

interface NumberFieldProps {
  label: string
  value: number
  onChange: (value: number) => void
  paper?: number
  step?: number
  min?: number
  testId?: string
}

/** A number input that marks the paper's value and offers to restore it. */
function NumberField({ label, value, onChange, paper, step = 1, min = 0, testId }: NumberFieldProps) {
  return (
    <label>
      <span>
        {label}
        {paper !== undefined &&
          (value === paper ? (
            <span className="paper" title="The paper's setting">
              {' '}
              paper
            </span>
          ) : (
            <button type="button" className="link" onClick={() => onChange(paper)} title="Restore the paper's setting">
              {' '}
              (paper: {paper})
            </button>
          ))}
      </span>
      <input type="number" value={value} step={step} min={min} onChange={(e) => onChange(Number(e.target.value))} data-testid={testId} />
    </label>
  )
}

/** A new training run: a dataset and the paper's settings, each marked as such and changeable. */
export function NewRunForm({ onCreated }: { onCreated: (runId: string) => void }) {
  const datasets = useStudioData(() => studio.call('datasets.list'), [])
  const usable = (datasets.data ?? []).filter((d) => d.size === 32 || d.size === 64 || d.size === 128)
  const [datasetId, setDatasetId] = useState('')
  const [name, setName] = useState('')
  const [batchSize, setBatchSize] = useState(PAPER_TRAIN_DEFAULTS.batchSize)
  const [learningRate, setLearningRate] = useState(PAPER_TRAIN_DEFAULTS.learningRate)
  const [beta1, setBeta1] = useState(PAPER_TRAIN_DEFAULTS.beta1)
  const [steps, setSteps] = useState(PAPER_TRAIN_DEFAULTS.steps)
  const [checkpointEvery, setCheckpointEvery] = useState(PAPER_TRAIN_DEFAULTS.checkpointEvery)
  const [sampleEvery, setSampleEvery] = useState(PAPER_TRAIN_DEFAULTS.sampleEvery)
  const [width, setWidth] = useState(64)
  const [kernelSize, setKernelSize] = useState<4 | 5>(4)
  const [seed, setSeed] = useState(PAPER_TRAIN_DEFAULTS.seed)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (!datasetId && usable[0]) setDatasetId(usable[0].id)
  }, [datasetId, usable])

  const submit = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      const record = await studio.call('runs.create', {
        datasetId,
        ...(name ? { name } : {}),
        model: { genWidth: width, discWidth: width, kernelSize },
        train: { batchSize, learningRate, beta1, steps, checkpointEvery, sampleEvery, seed }
      })
      await studio.call('runs.start', { id: record.id })
      onCreated(record.id)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="card form"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <h2>New training run</h2>
      <label>
        Dataset
        <select value={datasetId} onChange={(e) => setDatasetId(e.target.value)} data-testid="run-dataset">
          {usable.length === 0 && <option value="">— import a dataset at 32, 64 or 128 px first —</option>}
          {usable.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name} ({d.count} × {d.size}px)
            </option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="(dataset name)" />
      </label>
      <div className="grid-fields">
        <NumberField label="Batch size" value={batchSize} onChange={setBatchSize} paper={128} min={1} testId="run-batch" />
        <NumberField label="Learning rate" value={learningRate} onChange={setLearningRate} paper={0.0002} step={0.0001} />
        <NumberField label="Adam β1" value={beta1} onChange={setBeta1} paper={0.5} step={0.1} />
        <NumberField label="Width (G and D)" value={width} onChange={setWidth} paper={64} min={1} testId="run-width" />
        <label>
          <span>Kernel</span>
          <select value={kernelSize} onChange={(e) => setKernelSize(Number(e.target.value) as 4 | 5)}>
            <option value={4}>4 × 4 (PyTorch port)</option>
            <option value={5}>5 × 5 (paper figure)</option>
          </select>
        </label>
        <NumberField label="Steps" value={steps} onChange={setSteps} min={1} testId="run-steps" />
        <NumberField label="Checkpoint every" value={checkpointEvery} onChange={setCheckpointEvery} min={1} testId="run-checkpoint-every" />
        <NumberField label="Samples every" value={sampleEvery} onChange={setSampleEvery} min={1} testId="run-sample-every" />
        <NumberField label="Seed" value={seed} onChange={setSeed} min={0} />
      </div>
      <p className="muted">Fixed by the paper: weights from N(0, 0.02), LeakyReLU 0.2 in D, z of 100 dimensions uniform in [−1, 1].</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={!datasetId || busy} data-testid="run-create">
        Create and start
      </button>
    </form>
  )
}
