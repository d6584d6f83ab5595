import { useState } from 'react'
import { isFinished } from '../../../shared/api/jobs'
import { ProjectParams } from '../../../shared/api/experiments'
import { fieldErrorsOf, schemaErrors } from '../../api/field-errors'
import { errorText } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { PathField } from '../../components/PathField'
import { NumberInput } from '../../components/NumberInput'
import { JobProgress } from '../../components/ProgressBar'
import { useJob } from '../export/useJob'
import type { ModelChoice } from '../explore/RunPicker'
import { cancelJob, copyZ, formatError, greyLevels, projectReportOf, startProjection } from './experiment-actions'

/**
 * Projection: an image (a path on the machine running the studio) into the model's z. Shows the image as the
 * model sees it beside the best reconstruction, the error of every start, and copies the z for the Explore tray.
 */
export function ProjectionPanel({ model }: { model: ModelChoice }) {
  const [file, setFile] = useState('')
  const [starts, setStarts] = useState(8)
  const [steps, setSteps] = useState(300)
  const [jobId, setJobId] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [fileError, setFileError] = useState<string | undefined>(undefined)
  const [notice, setNotice] = useState<string | null>(null)
  const job = useJob(jobId)
  const report = projectReportOf(job)
  const running = job !== null && !isFinished(job.state)
  const params = { run: { id: model.id, step: model.step }, image: { kind: 'file' as const, path: file }, starts, steps }
  // The API's own limits, checked as the numbers are typed.
  const numberErrors = schemaErrors(ProjectParams, params)

  const start = async (): Promise<void> => {
    setError(null)
    setFileError(undefined)
    setNotice(null)
    if (numberErrors.starts || numberErrors.steps) return
    try {
      const started = await startProjection(params)
      setJobId(started.id)
    } catch (err) {
      const marked = fieldErrorsOf(err)['image.path']
      if (marked) setFileError(marked)
      else setError(errorText(err))
    }
  }
  const copy = async (z: Float32Array): Promise<void> => {
    const { copied, text } = await copyZ(z)
    setNotice(copied ? 'Copied the z: paste it into the Explore tray ("Paste z…") to walk from it, do arithmetic with it or export it.' : text)
  }

  return (
    <section className="card" data-testid="projection-panel">
      <h2>Project an image into z</h2>
      <p className="muted">
        Finds the z whose sample looks most like the image: Adam from several random starts inside the model's noise range, on the pixel mean squared error. The
        image is centre-cropped to {model.imageSize}×{model.imageSize}.
      </p>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          void start()
        }}
      >
        <PathField
          label="Image file"
          kind="file"
          value={file}
          onChange={(value) => {
            setFileError(undefined)
            setFile(value)
          }}
          placeholder="/path/to/photo.png"
          testId="projection-image"
          error={fileError}
        />
        <div className="row">
          <NumberInput label="Starts" min={1} max={64} value={starts} onChange={setStarts} error={numberErrors.starts} testId="projection-starts" />
          <NumberInput label="Adam steps" min={1} max={5000} value={steps} onChange={setSteps} error={numberErrors.steps} testId="projection-steps" />
        </div>
        <button type="submit" disabled={!file.trim() || running || Boolean(numberErrors.starts || numberErrors.steps)} data-testid="projection-start">
          Project
        </button>
      </form>
      {error && <p className="error">{error}</p>}
      {job && <JobProgress job={job} onCancel={() => void cancelJob(job)} />}
      {report && (
        <div data-testid="projection-result">
          <div className="row">
            <figure className="captioned">
              <ImageTile image={report.target} size={128} label="the image as the model sees it" />
              <figcaption>original</figcaption>
            </figure>
            <figure className="captioned">
              <ImageTile image={report.reconstruction} size={128} label="reconstruction from the projected z" testId="projection-reconstruction" />
              <figcaption>reconstruction</figcaption>
            </figure>
          </div>
          <p data-testid="projection-error">
            Pixel error {formatError(report.error)} (about {greyLevels(report.error)} grey levels RMS); a random z scores{' '}
            {formatError(Math.min(...report.initialErrors))}. Checkpoint step {report.step}.
          </p>
          <p className="muted">Each start's final error: {report.errors.map((e, i) => `${i === report.best ? '★' : ''}${formatError(e)}`).join(' · ')}</p>
          <button type="button" onClick={() => void copy(report.z)} data-testid="projection-copy">
            Use this z: copy as JSON
          </button>
          {notice && <p className="muted">{notice}</p>}
        </div>
      )}
    </section>
  )
}
