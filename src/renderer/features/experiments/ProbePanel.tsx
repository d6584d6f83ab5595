import { useState } from 'react'
import { PAPER_PROBE_REFERENCE, ProbeParams, type ProbeReport } from '../../../shared/api/experiments'
import { isFinished } from '../../../shared/api/jobs'
import { studio } from '../../api/client'
import { schemaErrors } from '../../api/field-errors'
import { errorText, useStudioData } from '../../api/hooks'
import { NumberInput } from '../../components/NumberInput'
import { JobProgress } from '../../components/ProgressBar'
import { useJob } from '../export/useJob'
import type { ModelChoice } from '../explore/RunPicker'
import { cancelJob, percent, probeReportOf, startProbe } from './experiment-actions'
import { overlapWarning, trainingOverlap } from './probe-data'

/**
 * The linear probe (paper Section 5): a labelled dataset, examples per class, and a run; the result is the
 * test accuracy of D's features beside raw pixels and a random-init D, with the paper's numbers for reference.
 */
export function ProbePanel({ model }: { model: ModelChoice }) {
  const datasets = useStudioData(() => studio.call('datasets.list'), [])
  const labelled = (datasets.data ?? []).filter((d) => d.labelled)
  const run = useStudioData(() => studio.call('runs.get', { id: model.id }), [model.id])
  const trainedOn = run.data?.record.dataset?.id ?? ''
  const overlapOf = (d: (typeof labelled)[number]) => trainingOverlap(d, trainedOn, datasets.data ?? [])
  const [datasetId, setDatasetId] = useState('')
  const [perClass, setPerClass] = useState(100)
  const [maxTest, setMaxTest] = useState(2000)
  const [jobId, setJobId] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const job = useJob(jobId)
  const report = probeReportOf(job)
  const running = job !== null && !isFinished(job.state)
  // Held-out data first: the GAN's own training images only when there is nothing else.
  const chosen = datasetId || (labelled.find((d) => !overlapOf(d)) ?? labelled[0])?.id || ''
  const chosenListing = labelled.find((d) => d.id === chosen)
  const warning = chosenListing ? overlapWarning(overlapOf(chosenListing), chosenListing.name) : null
  const params = { run: { id: model.id, step: model.step }, datasetId: chosen, perClass, maxTest }
  const numberErrors = schemaErrors(ProbeParams, params)
  const invalid = Boolean(numberErrors.perClass || numberErrors.maxTest)

  const start = async (): Promise<void> => {
    setError(null)
    try {
      const started = await startProbe(params)
      setJobId(started.id)
    } catch (err) {
      setError(errorText(err))
    }
  }

  return (
    <section className="card" data-testid="probe-panel">
      <h2>Linear probe on D's features</h2>
      <p className="muted">
        Every D conv layer's output, max-pooled to 4×4 and concatenated, feeds a regularised linear classifier (logistic regression with an L2 penalty chosen on
        a validation split). Compared with the same probe on raw pixels and on a random-init D of the same architecture.
      </p>
      {datasets.data && labelled.length === 0 && (
        <p className="muted">
          No labelled dataset yet: on the Datasets screen, import a folder with one subfolder per class (tick “Subfolders are classes”), or an IDX file with its
          labels file (e.g. Fashion-MNIST).
        </p>
      )}
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          void start()
        }}
      >
        <label>
          Labelled dataset
          <select value={chosen} onChange={(e) => setDatasetId(e.target.value)} data-testid="probe-dataset">
            {labelled.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.count} · {d.size}px{d.size !== model.imageSize ? `, resized to ${model.imageSize}` : ''})
                {overlapOf(d) ? ' — the GAN’s training data' : ''}
              </option>
            ))}
          </select>
        </label>
        {warning && (
          <p className="notice" role="note" data-testid="probe-training-data">
            ⚠ {warning}
          </p>
        )}
        <div className="row">
          <NumberInput
            label="Training examples per class (authors' SVHN script: 100)"
            min={1}
            max={5000}
            value={perClass}
            onChange={setPerClass}
            error={numberErrors.perClass}
            testId="probe-per-class"
          />
          <NumberInput
            label="Test images (at most)"
            min={1}
            max={100000}
            value={maxTest}
            onChange={setMaxTest}
            error={numberErrors.maxTest}
            testId="probe-max-test"
          />
        </div>
        <button type="submit" disabled={!chosen || running || invalid} data-testid="probe-start">
          Run probe
        </button>
      </form>
      {error && <p className="error">{error}</p>}
      {job && <JobProgress job={job} onCancel={() => void cancelJob(job)} />}
      {report && <ProbeTable report={report} />}
    </section>
  )
}

function ProbeTable({ report }: { report: ProbeReport }) {
  const rows = [
    { label: 'Trained D features', score: report.trainedD, testId: 'probe-accuracy' },
    { label: 'Random-init D features', score: report.randomD, testId: 'probe-random' },
    { label: 'Raw pixels', score: report.pixels, testId: 'probe-pixels' }
  ]
  return (
    <div data-testid="probe-result">
      <p className="muted">
        {report.dataset.name}: {report.classes} classes{report.classNames ? ` (${report.classNames.join(', ')})` : ''}, {report.counts.train} training,{' '}
        {report.counts.validation} validation and {report.counts.test} test images
        {report.adapted ? ` (${report.adapted})` : ''}; checkpoint step {report.step}.
      </p>
      <table className="report">
        <thead>
          <tr>
            <th>Representation</th>
            <th>Features</th>
            <th>Test accuracy</th>
            <th>λ chosen</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ label, score, testId }) => (
            <tr key={label}>
              <td>{label}</td>
              <td>{score.features.toLocaleString('en-US')}</td>
              <td data-testid={testId}>
                <b>{percent(score.testAccuracy)}</b>
              </td>
              <td>{score.weightDecay}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        The paper, for reference (other datasets and a D trained on Imagenet-1k, so not directly comparable): CIFAR-10{' '}
        {percent(PAPER_PROBE_REFERENCE.cifar10Accuracy)} accuracy with 28,672 features and an L2-SVM; SVHN with 1,000 labels{' '}
        {(PAPER_PROBE_REFERENCE.svhn1000Error * 100).toFixed(2)}% error (the same architecture trained purely supervised:{' '}
        {(PAPER_PROBE_REFERENCE.svhn1000SupervisedError * 100).toFixed(2)}%).
      </p>
    </div>
  )
}
