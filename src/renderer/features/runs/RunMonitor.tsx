import { useCallback, useEffect, useState } from 'react'
import type { RunDetails } from '../../../shared/api/runs'
import type { MetricsLine } from '../../../shared/formats/run'
import { studio } from '../../api/client'
import { errorText, useDemoRunId, useJobs, useStudioEvent } from '../../api/hooks'
import { useDialogs } from '../../components/dialogs'
import { LineChart } from '../../components/LineChart'
import { JobProgress } from '../../components/ProgressBar'
import { runBadge } from '../../../shared/api/runs'
import { ExportTimelapseButton } from '../export/ExportTimelapseButton'
import { DatasetMissing } from './DatasetMissing'
import { recreateJobOf, resumeRun } from './run-actions'
import { SampleTimeline } from './SampleTimeline'

/** Live view of one run: controls, progress, loss and D-output charts, the sample timeline, warnings. */
export function RunMonitor({ runId }: { runId: string }) {
  const [details, setDetails] = useState<RunDetails | null>(null)
  const [metrics, setMetrics] = useState<MetricsLine[]>([])
  const [warnings, setWarnings] = useState<string[]>([])
  const [error, setError] = useState<string | null>(null)
  const jobs = useJobs()
  const job = jobs.find((j) => j.kind === 'train' && j.target?.id === runId && (j.state === 'running' || j.state === 'paused'))
  const recreating = recreateJobOf(jobs, runId)
  const demoRunId = useDemoRunId()
  const dialogs = useDialogs()

  const load = useCallback(() => {
    studio
      .call('runs.get', { id: runId })
      .then((d) => {
        setDetails(d)
        setMetrics(d.metrics)
      })
      .catch((err: unknown) => setError(errorText(err)))
  }, [runId])
  useEffect(() => {
    load()
  }, [load])
  useEffect(() => {
    if (details) setWarnings((w) => (w.length === 0 ? details.warnings : w))
  }, [details])

  useStudioEvent('runs.changed', (record) => {
    if (record.id === runId) setDetails((d) => (d ? { ...d, record } : d))
  })
  useStudioEvent('runs.event', ({ runId: id, event }) => {
    if (id !== runId) return
    switch (event.kind) {
      case 'progress':
        setMetrics((m) => [...m.filter((line) => line.step < event.metrics.step), event.metrics])
        return
      case 'sample':
        setDetails((d) => (d && !d.sampleSteps.includes(event.step) ? { ...d, sampleSteps: [...d.sampleSteps, event.step] } : d))
        return
      case 'checkpoint':
        setDetails((d) =>
          d
            ? {
                ...d,
                latestStep: event.step,
                checkpoints: [...d.checkpoints.filter((c) => c.step !== event.step), { step: event.step, writtenAt: new Date().toISOString() }]
              }
            : d
        )
        return
      case 'warning':
        setWarnings((w) => [...w, event.message])
        return
      case 'started':
        setWarnings((w) => [...w, ...event.notes])
        setDetails((d) => (d ? { ...d, training: true } : d))
        return
      case 'finished':
        load()
        return
      case 'paused':
      case 'resumed':
        return
    }
  })

  const act = async (action: () => Promise<unknown>): Promise<void> => {
    setError(null)
    try {
      await action()
    } catch (err) {
      setError(errorText(err))
    }
  }

  if (!details) return <section className="card grow">{error ? <p className="error">{error}</p> : <p className="muted">Loading run…</p>}</section>
  const { record } = details
  const training = Boolean(job)
  const steps = metrics.map((m) => m.step)
  const badge = runBadge({ record, latestStep: details.latestStep, training }, demoRunId)
  const resumeLabel = details.latestStep === null ? 'Start training' : record.id === demoRunId ? 'Train further' : 'Resume training'
  return (
    <section className="card grow run-monitor" data-testid="run-monitor" data-run-id={runId} data-status={record.status}>
      <h2>
        {record.name}{' '}
        <span className={badge.className} data-testid="run-status">
          {badge.label}
        </span>
      </h2>
      <p className="muted">
        {record.dataset?.name ?? 'no dataset yet'} · {record.model.imageSize}px · batch {record.train.batchSize} · lr {record.train.learningRate} · β1{' '}
        {record.train.beta1} · {details.latestStep === null ? 'no checkpoint yet' : `last checkpoint: step ${details.latestStep}`}
      </p>
      {record.statusMessage && (
        <p className={record.status === 'failed' ? 'error' : 'muted'} data-testid="run-status-message">
          {record.statusMessage}
        </p>
      )}
      {!details.datasetPresent && !training && <DatasetMissing record={record} resumeLabel={resumeLabel} />}
      <div className="row">
        {!training && (
          <button type="button" data-testid="run-start" disabled={Boolean(recreating)} onClick={() => void act(() => resumeRun(details, dialogs))}>
            {resumeLabel}
          </button>
        )}
        {job?.state === 'running' && (
          <button type="button" onClick={() => void act(() => studio.call('runs.pause', { id: runId }))} title="Pause after the current step">
            Pause
          </button>
        )}
        {job?.state === 'paused' && (
          <button type="button" onClick={() => void act(() => studio.call('runs.resume', { id: runId }))}>
            Continue
          </button>
        )}
        {training && (
          <button type="button" data-testid="run-stop" onClick={() => void act(() => studio.call('runs.stop', { id: runId }))} title="Stop with a checkpoint">
            Stop
          </button>
        )}
      </div>
      {job && <JobProgress job={job} />}
      {recreating && <JobProgress job={recreating} onCancel={() => void studio.call('jobs.cancel', { id: recreating.id })} />}
      {error && <p className="error">{error}</p>}
      {warnings.length > 0 && (
        <ul className="warnings" data-testid="run-warnings">
          {warnings.map((w, i) => (
            <li key={i}>⚠ {w}</li>
          ))}
        </ul>
      )}
      <div className="charts">
        <LineChart
          title="Losses"
          x={steps}
          series={[
            { label: 'D', color: '#ff9f6a', values: metrics.map((m) => m.dLoss) },
            { label: 'G', color: '#6aa8ff', values: metrics.map((m) => m.gLoss) }
          ]}
          testId="chart-losses"
        />
        <LineChart
          title="Discriminator outputs"
          x={steps}
          yRange={[0, 1]}
          series={[
            { label: 'D(x)', color: '#6fd28a', values: metrics.map((m) => m.dReal) },
            { label: 'D(G(z))', color: '#d36aff', values: metrics.map((m) => m.dFake) }
          ]}
        />
      </div>
      <div className="row samples-head">
        <h3>Fixed-noise samples</h3>
        <ExportTimelapseButton
          source={{ runId, runName: record.name, steps: details.sampleSteps, training }}
          imported={Boolean(record.imported) && details.sampleSteps.length === 0}
        />
      </div>
      <SampleTimeline runId={runId} steps={details.sampleSteps} />
    </section>
  )
}
