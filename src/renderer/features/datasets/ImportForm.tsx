import { useState } from 'react'
import { ImportRequest, type ImportRequestInput } from '../../../shared/api/datasets'
import type { Job } from '../../../shared/api/jobs'
import { studio } from '../../api/client'
import { type FieldErrors, fieldErrorsOf, schemaErrors } from '../../api/field-errors'
import { errorText } from '../../api/hooks'
import { PathField } from '../../components/PathField'

const PATH_FIELDS = ['path', 'paths', 'imagesPath', 'labelsPath']

type Kind = ImportRequestInput['kind']

/** The sources offered, in the order shown; the array formats carry their labels. */
const KINDS: { kind: Kind; label: string; title: string }[] = [
  { kind: 'folder', label: 'Folder', title: 'A folder of image files (JPEG, PNG, WebP, GIF, BMP, TIFF, PGM/PPM/PBM)' },
  { kind: 'idx', label: 'IDX (MNIST)', title: 'An MNIST-style IDX images file, with its labels file' },
  { kind: 'cifar', label: 'CIFAR', title: 'CIFAR-10 or CIFAR-100 binary batches, with their labels' },
  { kind: 'svhn', label: 'SVHN', title: "SVHN's cropped digits (train_32x32.mat …), with their labels" },
  { kind: 'npy', label: 'NumPy', title: 'A numpy .npy or .npz image array, with labels if it holds them' }
]

/** Import a folder of images (any mix of formats and sizes) or an image array: IDX, CIFAR, SVHN or numpy. */
export function ImportForm({ onStarted }: { onStarted: (job: Job) => void }) {
  const [kind, setKind] = useState<Kind>('folder')
  const [path, setPath] = useState('')
  const [labels, setLabels] = useState('')
  const [size, setSize] = useState(64)
  /** Array formats keep their own size (0) unless one is chosen. */
  const [arraySize, setArraySize] = useState(0)
  const [split, setSplit] = useState<'train' | 'test'>('train')
  const [cifarLabels, setCifarLabels] = useState<'fine' | 'coarse'>('fine')
  const [imagesKey, setImagesKey] = useState('')
  const [labelsKey, setLabelsKey] = useState('')
  const [grayscale, setGrayscale] = useState(false)
  const [fit, setFit] = useState<'crop' | 'pad'>('crop')
  const [classFolders, setClassFolders] = useState(false)
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({})
  const pathKey = kind === 'idx' ? 'imagesPath' : kind === 'cifar' ? 'paths' : 'path'
  const isArray = kind === 'cifar' || kind === 'svhn' || kind === 'npy'

  const submit = async (): Promise<void> => {
    setError(null)
    const named = name ? { name } : {}
    const sized = arraySize > 0 ? { size: arraySize } : {}
    const request: ImportRequestInput =
      kind === 'folder'
        ? { kind, path, size, grayscale, fit, classFolders, ...named }
        : kind === 'idx'
          ? { kind, imagesPath: path, size, ...(labels ? { labelsPath: labels } : {}), ...named }
          : kind === 'cifar'
            ? { kind, paths: path ? [path] : [], split, labels: cifarLabels, ...sized, ...named }
            : kind === 'svhn'
              ? { kind, path, ...sized, ...named }
              : {
                  kind,
                  path,
                  ...(labels ? { labelsPath: labels } : {}),
                  ...(imagesKey ? { imagesKey } : {}),
                  ...(labelsKey ? { labelsKey } : {}),
                  ...sized,
                  ...named
                }
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
  const edited =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
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
      <div className="segmented" role="group" aria-label="What to import">
        {KINDS.map((k) => (
          <button
            type="button"
            key={k.kind}
            className={kind === k.kind ? 'on' : ''}
            aria-pressed={kind === k.kind}
            title={k.title}
            onClick={() => edited(setKind)(k.kind)}
            data-testid={`import-kind-${k.kind}`}
          >
            {k.label}
          </button>
        ))}
      </div>
      {kind === 'folder' && (
        <PathField
          label="Folder (searched recursively)"
          kind="folder"
          value={path}
          onChange={edited(setPath)}
          placeholder="/home/me/pictures/faces"
          testId="import-path"
          error={fieldErrors[pathKey]}
        />
      )}
      {kind === 'idx' && (
        <>
          <PathField
            label="Images file (.idx3-ubyte, .gz ok)"
            kind="file"
            value={path}
            onChange={edited(setPath)}
            placeholder="/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
            testId="import-path"
            error={fieldErrors[pathKey]}
          />
          <PathField
            label="Labels file (optional)"
            kind="file"
            value={labels}
            onChange={edited(setLabels)}
            testId="import-labels"
            error={fieldErrors.labelsPath}
          />
        </>
      )}
      {kind === 'cifar' && (
        <>
          <PathField
            label="Folder of binary batches, or one batch file"
            kind="folder"
            value={path}
            onChange={edited(setPath)}
            placeholder="/home/me/data/cifar-10-batches-bin"
            testId="import-path"
            error={fieldErrors[pathKey]}
          />
          <div className="row">
            <label>
              From a folder, import
              <select value={split} onChange={(e) => setSplit(e.target.value as 'train' | 'test')} data-testid="import-split">
                <option value="train">its training batches</option>
                <option value="test">its test batch</option>
              </select>
            </label>
            <label>
              CIFAR-100 labels
              <select value={cifarLabels} onChange={(e) => setCifarLabels(e.target.value as 'fine' | 'coarse')}>
                <option value="fine">fine (100 classes)</option>
                <option value="coarse">coarse (20 superclasses)</option>
              </select>
            </label>
          </div>
        </>
      )}
      {kind === 'svhn' && (
        <PathField
          label="SVHN cropped digits (.mat)"
          kind="file"
          value={path}
          onChange={edited(setPath)}
          placeholder="/home/me/data/svhn/train_32x32.mat"
          testId="import-path"
          error={fieldErrors[pathKey]}
        />
      )}
      {kind === 'npy' && (
        <>
          <PathField
            label="Images (.npy, or an .npz holding them)"
            kind="file"
            value={path}
            onChange={edited(setPath)}
            placeholder="/home/me/data/images.npz"
            testId="import-path"
            error={fieldErrors[pathKey]}
          />
          <PathField
            label="Labels .npy (optional; an .npz's own labels are found)"
            kind="file"
            value={labels}
            onChange={edited(setLabels)}
            testId="import-labels"
            error={fieldErrors.labelsPath}
          />
          <div className="row">
            <label title="Only needed when the .npz holds more than one array of images">
              Images key (.npz)
              <input type="text" value={imagesKey} onChange={(e) => setImagesKey(e.target.value)} placeholder="(found)" size={10} />
            </label>
            <label title="Only needed when the .npz holds more than one array that could be the labels">
              Labels key (.npz)
              <input type="text" value={labelsKey} onChange={(e) => setLabelsKey(e.target.value)} placeholder="(found)" size={10} />
            </label>
          </div>
        </>
      )}
      <div className="row">
        <label>
          Size
          <select value={isArray ? arraySize : size} onChange={(e) => (isArray ? setArraySize : setSize)(Number(e.target.value))} data-testid="import-size">
            {isArray && <option value={0}>as stored</option>}
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
            <label
              className="check"
              title="Each subfolder is a class named by the folder; images directly in the chosen folder are skipped. For the linear probe."
            >
              <input type="checkbox" checked={classFolders} onChange={(e) => setClassFolders(e.target.checked)} data-testid="import-class-folders" /> Subfolders
              are classes (labels)
            </label>
          </>
        )}
        <label>
          Name
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder={kind === 'folder' ? '(folder name)' : '(file name)'} />
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
