import { useState } from 'react'
import { ImportRequest, type ImportRequestInput } from '../../../shared/api/datasets'
import type { Job } from '../../../shared/api/jobs'
import { studio } from '../../api/client'
import { type FieldErrors, fieldErrorsOf, schemaErrors } from '../../api/field-errors'
import { errorText } from '../../api/hooks'
import { PathField } from '../../components/PathField'

const PATH_FIELDS = ['path', 'imagesPath', 'labelsPath']

/** Import a folder of images (any mix of formats and sizes) or an MNIST-style IDX file. */
export function ImportForm({ onStarted }: { onStarted: (job: Job) => void }) {
  const [kind, setKind] = useState<'folder' | 'idx'>('folder')
  const [path, setPath] = useState('')
  const [labels, setLabels] = useState('')
  const [size, setSize] = useState(64)
  const [grayscale, setGrayscale] = useState(false)
  const [fit, setFit] = useState<'crop' | 'pad'>('crop')
  const [classFolders, setClassFolders] = useState(false)
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({})
  const pathKey = kind === 'folder' ? 'path' : 'imagesPath'

  const submit = async (): Promise<void> => {
    setError(null)
    const request: ImportRequestInput =
      kind === 'folder'
        ? { kind, path, size, grayscale, fit, classFolders, ...(name ? { name } : {}) }
        : { kind, imagesPath: path, size, ...(labels ? { labelsPath: labels } : {}), ...(name ? { name } : {}) }
    // The API's schema first, then the studio's look at the paths (a folder where the IDX file belongs…).
    const local = schemaErrors(ImportRequest, request)
    if (Object.keys(local).length > 0) {
      show(local, null)
      return
    }
    try {
      onStarted(await studio.call('datasets.import', request))
    } catch (err) {
      show(fieldErrorsOf(err), errorText(err))
    }
  }
  /** Marks the path fields; anything else wrong is said in the line under the form. */
  const show = (errors: FieldErrors, fallback: string | null): void => {
    setFieldErrors(errors)
    const other = Object.entries(errors).filter(([key]) => !PATH_FIELDS.includes(key))
    setError(other.length > 0 ? other.map(([key, message]) => `${key}: ${message}`).join('; ') : Object.keys(errors).length === 0 ? fallback : null)
  }
  const edited = <T,>(set: (value: T) => void) => (value: T) => {
    setFieldErrors({})
    set(value)
  }

  return (
    <form
      className="card form"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <h2>Import images</h2>
      <div className="segmented">
        <button type="button" className={kind === 'folder' ? 'on' : ''} onClick={() => edited(setKind)('folder')}>
          Folder
        </button>
        <button type="button" className={kind === 'idx' ? 'on' : ''} onClick={() => edited(setKind)('idx')} data-testid="import-kind-idx">
          IDX file (MNIST-style)
        </button>
      </div>
      {kind === 'folder' ? (
        <PathField label="Folder (searched recursively)" kind="folder" value={path} onChange={edited(setPath)} placeholder="/home/me/pictures/faces" testId="import-path" error={fieldErrors[pathKey]} />
      ) : (
        <>
          <PathField label="Images file (.idx3-ubyte, .gz ok)" kind="file" value={path} onChange={edited(setPath)} placeholder="/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz" testId="import-path" error={fieldErrors[pathKey]} />
          <PathField label="Labels file (optional)" kind="file" value={labels} onChange={edited(setLabels)} testId="import-labels" error={fieldErrors.labelsPath} />
        </>
      )}
      <div className="row">
        <label>
          Size
          <select value={size} onChange={(e) => setSize(Number(e.target.value))} data-testid="import-size">
            <option value={32}>32 × 32</option>
            <option value={64}>64 × 64 (paper)</option>
            <option value={128}>128 × 128</option>
          </select>
        </label>
        {kind === 'folder' && (
          <>
            <label>
              Make square by
              <select value={fit} onChange={(e) => setFit(e.target.value as 'crop' | 'pad')}>
                <option value="crop">cropping the centre</option>
                <option value="pad">padding</option>
              </select>
            </label>
            <label className="check">
              <input type="checkbox" checked={grayscale} onChange={(e) => setGrayscale(e.target.checked)} /> Grayscale
            </label>
            <label className="check" title="Each subfolder is a class named by the folder; images directly in the chosen folder are skipped. For the linear probe.">
              <input type="checkbox" checked={classFolders} onChange={(e) => setClassFolders(e.target.checked)} data-testid="import-class-folders" /> Subfolders are classes (labels)
            </label>
          </>
        )}
        <label>
          Name
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="(folder name)" />
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={!path} data-testid="import-button">
        Import
      </button>
    </form>
  )
}
