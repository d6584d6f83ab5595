import { type KeyboardEvent, useEffect, useRef, useState } from 'react'
import type { BoxedSample, ErasureRecord } from '../../../shared/api/forget'
import { isFinished } from '../../../shared/api/jobs'
import { errorText, useStudioData } from '../../api/hooks'
import { JobProgress } from '../../components/ProgressBar'
import { useJob } from '../export/useJob'
import type { ModelChoice } from '../explore/RunPicker'
import type { Sample } from '../explore/selection'
import { BoxEditor } from './BoxEditor'
import { type BoxMap, countBoxes, fitSamples, toBoxesFile } from './boxes'
import { FitForm, type FitOptions, PAPER_FIT_OPTIONS, usesUnboxed } from './FitForm'
import { type Fit, FitResult } from './FitResult'
import { cancelFit, downloadJson, fitReportOf, listErasures, startFit } from './forget-actions'
import { SampleGrid } from './SampleGrid'
import { SavedErasures } from './SavedErasures'
import { useBoxSheet } from './useBoxSheet'
import './forget.css'

/** A fit on its way: what it was asked with, so its result is shown against the boxes it used. */
interface PendingFit {
  jobId: string | null
  modelKey: string
  boxMap: BoxMap
  boxed: Sample[]
  boxes: number
  samples: BoxedSample[]
}

const KEYS = 'Drag on the enlarged sample to draw a box · click a box, then Delete to remove it · Ctrl+Z undo, Ctrl+Shift+Z redo · ← → other samples'

/**
 * "Forgetting to draw" (paper Fig. 6): box an object on generated samples, fit which of G's feature maps draw
 * it, choose how many to drop, compare the samples drawn without them, and save the erasure for Explore.
 */
export function ForgetPanel({ model }: { model: ModelChoice }) {
  const sheet = useBoxSheet(model)
  const [seedText, setSeedText] = useState('0')
  const [options, setOptions] = useState<FitOptions>(PAPER_FIT_OPTIONS)
  const [layers, setLayers] = useState<string[]>([])
  const [fit, setFit] = useState<(Omit<Fit, 'stale'> & { boxMap: BoxMap; serial: number }) | null>(null)
  // Each fit starts its result view afresh (its own N, name and comparison).
  const fitSerial = useRef(0)
  const [fitJobId, setFitJobId] = useState<string | null>(null)
  const fitJob = useJob(fitJobId)
  const fitting = fitJob !== null && !isFinished(fitJob.state)
  // What the running fit was asked with; its job's result is shown against these.
  const pendingFit = useRef<PendingFit | null>(null)
  const [fitError, setFitError] = useState<string | null>(null)
  const erasures = useStudioData(() => listErasures(model.id), [model.id])
  const fileInput = useRef<HTMLInputElement>(null)
  // A fit answered after the model changed belongs to the old model: drop it.
  const modelKey = `${model.id}@${model.step ?? 'latest'}`
  const currentModel = useRef(modelKey)
  currentModel.current = modelKey

  useEffect(() => {
    setFit(null)
    setFitError(null)
  }, [modelKey])

  const counts = countBoxes(sheet.boxes)
  const boxed = sheet.grid.filter((s) => (sheet.boxes[s.key]?.length ?? 0) > 0)
  const unboxed = sheet.page.filter((s) => !sheet.boxes[s.key])
  const planned = (): ReturnType<typeof fitSamples> => fitSamples(boxed, usesUnboxed(options) ? unboxed : [], sheet.boxes)

  const runFit = async (): Promise<void> => {
    const samples = planned()
    const asked: PendingFit = { jobId: null, modelKey, boxMap: sheet.boxes, boxed, boxes: counts.boxes, samples }
    pendingFit.current = asked
    setFitError(null)
    try {
      const job = await startFit({
        run: { id: model.id, step: model.step, erasure: null },
        samples,
        layer: options.layer,
        negatives: options.negatives,
        negativesPerPositive: options.negativesPerPositive,
        weightDecay: options.weightDecay,
        iterations: options.iterations
      })
      asked.jobId = job.id
      setFitJobId(job.id)
    } catch (err) {
      if (pendingFit.current === asked) pendingFit.current = null
      if (asked.modelKey === currentModel.current) setFitError(errorText(err))
    }
  }

  // The fit's job finished: show its report (unless the model changed meanwhile), or say why it failed.
  useEffect(() => {
    const pending = pendingFit.current
    if (!fitJob || !isFinished(fitJob.state) || !pending || pending.jobId !== fitJob.id) return
    pendingFit.current = null
    if (pending.modelKey !== currentModel.current) return
    if (fitJob.state === 'failed') setFitError(fitJob.error?.message ?? fitJob.message)
    const report = fitReportOf(fitJob)
    if (!report) return
    setLayers(report.layers)
    setFit({
      report,
      runId: model.id,
      boxed: pending.boxed,
      boxes: pending.boxes,
      samples: pending.samples,
      boxMap: pending.boxMap,
      serial: ++fitSerial.current
    })
  }, [fitJob, model.id])

  /** Loads a saved erasure's boxes and fit settings back into the panel, to look again or refit. */
  const open = (record: ErasureRecord): void => {
    // The sheet shows its own errors and progress; nothing here waits for it.
    void sheet.importText(JSON.stringify(toBoxesFile(record.runId, record.fittedFrom.samples)))
    const { layer, negatives, negativesPerPositive, weightDecay, iterations } = record.fittedFrom.settings
    setOptions((o) => ({ ...o, layer, negatives, negativesPerPositive, weightDecay, iterations }))
  }

  const onKeyDown = (event: KeyboardEvent): void => {
    const target = event.target as HTMLElement
    // Typing in a field keeps the field's own keys (its text undo, arrows in a number box).
    if (target.closest('input, textarea, select')) return
    const mod = event.ctrlKey || event.metaKey
    const key = event.key.toLowerCase()
    if (mod && !event.altKey && (key === 'z' || key === 'y')) {
      event.preventDefault()
      if (key === 'y' || event.shiftKey) sheet.redo()
      else sheet.undo()
      return
    }
    if ((event.key === 'Delete' || event.key === 'Backspace') && sheet.active && sheet.selectedBox !== null) {
      event.preventDefault()
      sheet.remove(sheet.active.key, sheet.selectedBox)
      return
    }
    if ((event.key === 'ArrowLeft' || event.key === 'ArrowRight') && target.closest('[data-forget-nav]')) {
      event.preventDefault()
      sheet.step(event.key === 'ArrowLeft' ? -1 : 1)
    }
  }

  const active = sheet.active
  const activeBoxes = active ? (sheet.boxes[active.key] ?? []) : []
  return (
    <section className="card forget-panel" data-testid="forget-panel" onKeyDown={onKeyDown}>
      <h2>Forget to draw</h2>
      <p className="muted">
        Box an object (glasses, windows…) on some samples. A logistic regression on G's second-highest conv layer tells the activations inside the boxes from
        those elsewhere; the maps it weighs positively are dropped at every location, and G draws without them (the paper's Fig. 6).
      </p>
      <div className="toolbar">
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault()
            void sheet.showSeed(Math.max(0, Math.floor(Number(seedText)) || 0))
          }}
        >
          <label>
            Seed
            <input type="number" min={0} value={seedText} onChange={(e) => setSeedText(e.target.value)} data-testid="forget-seed" />
          </label>
          <button type="submit" disabled={sheet.busy}>
            Show
          </button>
          <button
            type="button"
            disabled={sheet.busy}
            onClick={() => {
              const next = Math.floor(Math.random() * 1_000_000)
              setSeedText(String(next))
              void sheet.showSeed(next)
            }}
          >
            New seed
          </button>
          <button type="button" disabled={sheet.busy || sheet.page.length >= 240} onClick={() => void sheet.more()} data-testid="forget-more">
            More samples
          </button>
        </form>
        <div className="row">
          <button
            type="button"
            className="small"
            disabled={!sheet.canUndo}
            onClick={sheet.undo}
            title="Undo the last box edit (Ctrl+Z)"
            data-testid="forget-undo"
          >
            Undo
          </button>
          <button type="button" className="small" disabled={!sheet.canRedo} onClick={sheet.redo} title="Redo (Ctrl+Shift+Z)">
            Redo
          </button>
          <button
            type="button"
            className="small"
            disabled={counts.boxes === 0}
            onClick={sheet.clearAll}
            title="Remove every box (undo brings them back)"
            data-testid="forget-clear"
          >
            Clear all boxes
          </button>
          <button
            type="button"
            className="small"
            disabled={sheet.busy}
            onClick={() => fileInput.current?.click()}
            title="Load boxes from a boxes file (the format `dcgan-studio forget --boxes` reads)"
          >
            Import boxes…
          </button>
          <input
            ref={fileInput}
            type="file"
            accept=".json,application/json"
            hidden
            data-testid="forget-import"
            onChange={(e) => {
              const file = e.target.files?.[0]
              e.target.value = ''
              if (file) void file.text().then(sheet.importText)
            }}
          />
          <button
            type="button"
            className="small"
            disabled={counts.boxes === 0}
            onClick={() => downloadJson(`boxes-${model.id}.json`, toBoxesFile(model.id, planned()))}
            title="Save the samples and boxes the fit uses, for `dcgan-studio forget --boxes FILE.json`"
            data-testid="forget-export"
          >
            Export boxes
          </button>
        </div>
      </div>
      {sheet.error && <p className="error">{sheet.error}</p>}
      {sheet.notice && <p className="muted">{sheet.notice}</p>}
      <div className="forget-work">
        <div data-forget-nav>
          <SampleGrid samples={sheet.grid} boxes={sheet.boxes} activeKey={active?.key ?? null} onPick={sheet.pick} />
          <p className="muted" data-testid="forget-counts">
            {counts.boxes} box{counts.boxes === 1 ? '' : 'es'} on {counts.samples} sample{counts.samples === 1 ? '' : 's'}
            {sheet.busy ? ' · rendering…' : ''}
          </p>
        </div>
        {active && (
          <div className="forget-editor-column" data-forget-nav>
            <BoxEditor
              sample={active}
              boxes={activeBoxes}
              selected={sheet.selectedBox}
              onAdd={(box) => sheet.add(active.key, box)}
              onRemove={(i) => sheet.remove(active.key, i)}
              onSelect={sheet.selectBox}
            />
            <div className="row">
              <button type="button" className="small" onClick={() => sheet.step(-1)} aria-label="Previous sample">
                ←
              </button>
              <button type="button" className="small" onClick={() => sheet.step(1)} aria-label="Next sample">
                →
              </button>
              <button type="button" className="small" disabled={activeBoxes.length === 0} onClick={() => sheet.clearSample(active.key)}>
                Clear this sample
              </button>
            </div>
            <p className="muted small-print">{KEYS}</p>
          </div>
        )}
      </div>
      <FitForm
        options={options}
        onChange={setOptions}
        layers={layers}
        boxes={counts.boxes}
        unboxed={unboxed.length}
        busy={fitting}
        onFit={() => void runFit()}
      />
      {fitJob && !isFinished(fitJob.state) && <JobProgress job={fitJob} onCancel={() => void cancelFit(fitJob)} />}
      {fitError && (
        <p className="error" data-testid="forget-error">
          Could not fit: {fitError}
        </p>
      )}
      {fit && <FitResult key={fit.serial} fit={{ ...fit, stale: fit.boxMap !== sheet.boxes }} saved={erasures.data ?? []} onSaved={erasures.reload} />}
      <SavedErasures erasures={erasures.data} onChanged={erasures.reload} onOpen={open} />
    </section>
  )
}
