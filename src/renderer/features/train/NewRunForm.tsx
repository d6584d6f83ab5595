import { useEffect, useId, useState } from 'react'
import { CreateRunParams, MIN_WIDTH, maxWidth, widthProblem } from '../../../shared/api/runs'
import { PAPER_TRAIN_DEFAULTS } from '../../../shared/formats/run'
import { studio } from '../../api/client'
import { type FieldErrors, fieldErrorsOf, invalidProps, schemaErrors } from '../../api/field-errors'
import { errorText, useStudioData } from '../../api/hooks'
import { FieldMessage } from '../../components/FieldMessage'

interface NumberFieldProps {
  label: string
  value: number
  onChange: (value: number) => void
  paper?: number
  step?: number
  min?: number
  max?: number
  error?: string | undefined
  testId?: string
}

/** A number input that marks the paper's value and offers to restore it, and says what is wrong with its value. */
function NumberField({ label, value, onChange, paper, step = 1, min, max, error, testId }: NumberFieldProps) {
  const errorId = useId()
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
      <input
        type="number"
        value={Number.isNaN(value) ? '' : value}
        step={step}
        min={min}
        max={max}
        onChange={(e) => onChange(e.target.value === '' ? Number.NaN : Number(e.target.value))}
        data-testid={testId}
        {...invalidProps(error, errorId)}
      />
      <FieldMessage id={errorId} error={error} />
    </label>
  )
}

/** A new training run: a dataset and the paper's settings, each marked as such and changeable, checked as typed. */
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
  const [serverErrors, setServerErrors] = useState<FieldErrors>({})
  const [tried, setTried] = useState(false)
  const [busy, setBusy] = useState(false)
  const datasetErrorId = useId()

  useEffect(() => {
    if (!datasetId && usable[0]) setDatasetId(usable[0].id)
  }, [datasetId, usable])

  const dataset = usable.find((d) => d.id === datasetId)
  const params = {
    datasetId,
    ...(name ? { name } : {}),
    model: { genWidth: width, discWidth: width, kernelSize },
    train: { batchSize, learningRate, beta1, steps, checkpointEvery, sampleEvery, seed }
  }
  // The API's own schema and width rule, checked as the user types; what the studio still refuses is added.
  const widthError = dataset && Number.isFinite(width) ? widthProblem(width, dataset.size) : null
  const errors: FieldErrors = { ...schemaErrors(CreateRunParams, params), ...(widthError ? { 'model.genWidth': widthError } : {}), ...serverErrors }
  const fieldError = (key: string): string | undefined => errors[key] ?? (key === 'model.genWidth' ? errors['model.discWidth'] : undefined)
  // The dataset is only "missing" once the user tries to start; every other field is checked as it changes.
  const shown = (key: string): string | undefined => (key === 'datasetId' && !tried ? undefined : fieldError(key))
  const changed =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      setServerErrors({})
      set(value)
    }

  const submit = async (): Promise<void> => {
    setTried(true)
    setError(null)
    if (Object.keys(errors).length > 0) {
      setError('Some settings are not allowed: see the marked fields.')
      document.querySelector<HTMLElement>('.new-run-form [aria-invalid="true"]')?.focus()
      return
    }
    setBusy(true)
    try {
      const record = await studio.call('runs.create', params)
      await studio.call('runs.start', { id: record.id })
      onCreated(record.id)
    } catch (err) {
      const marked = fieldErrorsOf(err)
      setServerErrors(marked)
      setError(Object.keys(marked).length > 0 ? 'The studio refused some settings: see the marked fields.' : errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="card form new-run-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <h2>New training run</h2>
      <label>
        Dataset
        <select
          value={datasetId}
          onChange={(e) => changed(setDatasetId)(e.target.value)}
          data-testid="run-dataset"
          {...invalidProps(shown('datasetId'), datasetErrorId)}
        >
          {usable.length === 0 && <option value="">— import a dataset at 32, 64 or 128 px first —</option>}
          {usable.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name} ({d.count} × {d.size}px)
            </option>
          ))}
        </select>
        <FieldMessage id={datasetErrorId} error={shown('datasetId')} />
      </label>
      <label>
        Name
        <input type="text" value={name} onChange={(e) => changed(setName)(e.target.value)} placeholder="(dataset name)" />
      </label>
      <div className="grid-fields">
        <NumberField
          label="Batch size"
          value={batchSize}
          onChange={changed(setBatchSize)}
          paper={128}
          min={1}
          max={1024}
          error={shown('train.batchSize')}
          testId="run-batch"
        />
        <NumberField
          label="Learning rate"
          value={learningRate}
          onChange={changed(setLearningRate)}
          paper={0.0002}
          step={0.0001}
          error={shown('train.learningRate')}
          testId="run-learning-rate"
        />
        <NumberField
          label="Adam β1"
          value={beta1}
          onChange={changed(setBeta1)}
          paper={0.5}
          step={0.1}
          min={0}
          max={0.999}
          error={shown('train.beta1')}
          testId="run-beta1"
        />
        <NumberField
          label="Width (G and D)"
          value={width}
          onChange={changed(setWidth)}
          paper={64}
          min={MIN_WIDTH}
          max={dataset ? maxWidth(dataset.size) : undefined}
          error={shown('model.genWidth')}
          testId="run-width"
        />
        <label className="span-2">
          <span>Kernel</span>
          <select value={kernelSize} onChange={(e) => changed(setKernelSize)(Number(e.target.value) as 4 | 5)} data-testid="run-kernel">
            <option value={4}>4 × 4 (PyTorch port)</option>
            <option value={5}>5 × 5 (paper figure)</option>
          </select>
        </label>
        <NumberField label="Steps" value={steps} onChange={changed(setSteps)} min={1} error={shown('train.steps')} testId="run-steps" />
        <NumberField
          label="Checkpoint every"
          value={checkpointEvery}
          onChange={changed(setCheckpointEvery)}
          min={1}
          error={shown('train.checkpointEvery')}
          testId="run-checkpoint-every"
        />
        <NumberField
          label="Samples every"
          value={sampleEvery}
          onChange={changed(setSampleEvery)}
          min={1}
          error={shown('train.sampleEvery')}
          testId="run-sample-every"
        />
        <NumberField label="Seed" value={seed} onChange={changed(setSeed)} min={0} error={shown('train.seed')} testId="run-seed" />
      </div>
      <p className="muted">Fixed by the paper: weights from N(0, 0.02), LeakyReLU 0.2 in D, z of 100 dimensions uniform in [−1, 1].</p>
      {error && (
        <p className="error" role="alert" data-testid="run-form-error">
          {error}
        </p>
      )}
      <button type="submit" disabled={!datasetId || busy} data-testid="run-create">
        Create and start
      </button>
    </form>
  )
}
