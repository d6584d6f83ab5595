import { useEffect, useRef, useState } from 'react'
import {
  ExportFormat,
  MODEL_FORMAT_LABELS,
  type ExportModelResult,
  type ModelFormatChoice,
  ModelFileFormat as Formats
} from '../../../shared/formats/model-import'
import type { RunRecord } from '../../../shared/formats/run'
import { studio } from '../../api/client'
import { errorText } from '../../api/hooks'
import { PathField } from '../../components/PathField'
import { exportsFolder } from '../export/export-actions'
import '../export/export.css'

/**
 * Runs → "Import a model…" and "Export model…": the dialogs for dcgan-studio import-model and export-model,
 * over the same services. Paths are on the machine running the studio (in web mode, the server).
 */

export function ImportModelDialog({ onClose, onImported }: { onClose: () => void; onImported: (record: RunRecord) => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [source, setSource] = useState('')
  const [format, setFormat] = useState<ModelFormatChoice>('auto')
  const [noise, setNoise] = useState<'normal' | 'uniform'>('normal')
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => dialog.current?.showModal(), [])
  const start = async (): Promise<void> => {
    setError(null)
    setBusy(true)
    try {
      const record = await studio.call('runs.importModel', {
        source,
        format,
        noise: noise === 'normal' ? { kind: 'normal', mean: 0, std: 1 } : { kind: 'uniform', low: -1, high: 1 },
        ...(name.trim() ? { name: name.trim() } : {})
      })
      onImported(record)
      dialog.current?.close()
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <dialog ref={dialog} className="export-dialog" data-testid="import-model-dialog" onClose={onClose} aria-label="Import a model">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          void start()
        }}
      >
        <h2>Import a model</h2>
        <p className="muted small-print">
          A DCGAN trained elsewhere becomes a run to explore, export and train further. PyTorch: the netG.pth and netD.pth that pytorch/examples&apos;
          dcgan/main.py saves (give the folder for both, or one file for that network alone); also the same tensors as .safetensors, a TensorFlow.js model the
          studio exported, or the paper authors&apos; own Theano parameters (Newmu/dcgan_code&apos;s folder of EPOCH_gen_params.jl and .npy files). Its size, z
          length and widths are read from the file.
        </p>
        <PathField
          label="Model file or folder"
          kind="folder"
          value={source}
          onChange={setSource}
          placeholder="/path/to/netG.pth or its folder"
          testId="import-model-path"
        />
        <div className="grid-fields">
          <label>
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value as ModelFormatChoice)} data-testid="import-model-format">
              <option value="auto">recognise it (auto)</option>
              {Formats.options.map((f) => (
                <option key={f} value={f}>
                  {MODEL_FORMAT_LABELS[f]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Noise it was trained on
            <select value={noise} onChange={(e) => setNoise(e.target.value as 'normal' | 'uniform')} data-testid="import-model-noise">
              <option value="normal">normal N(0, 1) — main.py&apos;s</option>
              <option value="uniform">uniform [−1, 1] — the paper&apos;s</option>
            </select>
          </label>
          <label>
            Name (optional)
            <input type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="import-model-name" />
          </label>
        </div>
        {error && (
          <p className="error" data-testid="import-model-error">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" disabled={busy || source.trim() === ''} data-testid="import-model-start">
            {busy ? 'Importing…' : 'Import'}
          </button>
        </div>
      </form>
    </dialog>
  )
}

export function ExportModelDialog({ record, step, onClose }: { record: RunRecord; step: number | null; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [format, setFormat] = useState<ExportFormat>('pytorch')
  const [out, setOut] = useState(`model-${record.id}`)
  const [folder, setFolder] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<ExportModelResult | null>(null)
  useEffect(() => {
    dialog.current?.showModal()
    exportsFolder().then(setFolder, () => setFolder(null))
  }, [])
  const start = async (): Promise<void> => {
    setError(null)
    setResult(null)
    setBusy(true)
    try {
      setResult(await studio.call('runs.exportModel', { runId: record.id, step, format, out }))
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }
  const m = record.model
  return (
    <dialog ref={dialog} className="export-dialog" data-testid="export-model-dialog" onClose={onClose} aria-label="Export model">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          void start()
        }}
      >
        <h2>Export model</h2>
        <p className="muted">
          {record.name} at {step === null ? 'its latest checkpoint' : `step ${step}`}: {m.imageSize}px, {m.channels === 1 ? 'grayscale' : 'colour'}, z of{' '}
          {m.zDim}.
        </p>
        <label>
          Format
          <select
            value={format}
            onChange={(e) => {
              setFormat(e.target.value as ExportFormat)
              setResult(null)
            }}
            data-testid="export-model-format"
          >
            {ExportFormat.options.map((f) => (
              <option key={f} value={f}>
                {MODEL_FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
        </label>
        <p className="muted small-print" data-testid="export-model-hint">
          {format === 'pytorch'
            ? `State dicts pytorch/examples' dcgan/main.py loads as they are: python main.py --netG netG.pth --netD netD.pth --nz ${m.zDim} --ngf ${m.genWidth} --ndf ${m.discWidth} continues training there.`
            : format === 'safetensors'
              ? 'The same tensors as the PyTorch export, in the safetensors format.'
              : `generator/ and discriminator/ as TensorFlow.js layers models, and manifest.json for ml5.DCGAN (modelLatentDim ${m.zDim}, modelSize ${m.imageSize}).`}
        </p>
        <PathField label="Folder to write into" kind="folder" value={out} onChange={setOut} testId="export-model-path" />
        <p className="muted small-print">
          A path on the machine running the studio{folder ? `; a relative one is saved under ${folder}` : ''}. Files of the same name in it are replaced.
        </p>
        {error && (
          <p className="error" data-testid="export-model-error">
            {error}
          </p>
        )}
        {result && (
          <div data-testid="export-model-result">
            <p>
              Exported step {result.step} to <code>{result.dir}</code>:
            </p>
            <ul className="small-print">
              {result.files.map((file) => (
                <li key={file}>
                  <code>{file.slice(result.dir.length + 1)}</code>
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            {result ? 'Close' : 'Cancel'}
          </button>
          <button type="submit" disabled={busy || out.trim() === ''} data-testid="export-model-start">
            {busy ? 'Exporting…' : 'Export'}
          </button>
        </div>
      </form>
    </dialog>
  )
}
