import { useState } from 'react'
import { studio } from '../../api/client'
import { errorText, useStudioData } from '../../api/hooks'
import { ImageGrid } from '../../components/ImageGrid'
import { useDialogs } from '../../components/dialogs'
import { sourceLocation } from '../../../shared/formats/dataset'

/** CIFAR-100 has 100 class names: the first ones say what the labels are without filling the card. */
const NAMES_SHOWN = 20

function namesShown(names: readonly string[]): string {
  return names.length > NAMES_SHOWN ? `${names.slice(0, NAMES_SHOWN).join(', ')}, … ${names.length - NAMES_SHOWN} more` : names.join(', ')
}

/** One dataset: its thumbnails, counts, and the report of every file that was skipped or a duplicate. */
export function DatasetDetail({ id, onDeleted }: { id: string; onDeleted: () => void }) {
  const manifest = useStudioData(() => studio.call('datasets.get', { id }), [id])
  const preview = useStudioData(() => studio.call('datasets.preview', { id, count: 64 }), [id])
  const [error, setError] = useState<string | null>(null)
  const dialogs = useDialogs()
  const m = manifest.data
  if (manifest.error) return <p className="error">{manifest.error}</p>
  if (!m) return <p className="muted">Loading…</p>
  const problems = m.files.filter((f) => f.status !== 'imported')

  const remove = async (): Promise<void> => {
    const sure = await dialogs.confirm({
      title: 'Delete this dataset?',
      message: `Delete the dataset "${m.name}" (${m.count} images)? Runs trained on it keep their checkpoints but cannot train further.`,
      confirmLabel: 'Delete dataset',
      danger: true
    })
    if (!sure) return
    try {
      await studio.call('datasets.delete', { id })
      onDeleted()
    } catch (err) {
      setError(errorText(err))
    }
  }

  return (
    <section className="card grow" data-testid="dataset-detail">
      <h2>{m.name}</h2>
      <p className="muted">
        {m.count} images · {m.size}×{m.size} · {m.channels === 1 ? 'grayscale' : 'RGB'} · {sourceLocation(m.source)}
        {m.labels ? ` · ${m.labels.classes} classes${m.labels.names ? ` (${namesShown(m.labels.names)})` : ''}` : ''}
      </p>
      <p>
        Seen {m.summary.seen} · imported {m.summary.imported} · skipped {m.summary.skipped} · duplicates {m.summary.duplicate}
        {m.summary.hiddenIgnored > 0 ? ` · hidden files ignored ${m.summary.hiddenIgnored}` : ''}
      </p>
      {preview.data && <ImageGrid images={preview.data.images} columns={8} scale={m.size <= 32 ? 2 : 1} label={`first ${preview.data.images.length} images`} />}
      {problems.length > 0 && (
        <details open data-testid="skipped-report">
          <summary>
            {problems.length} file{problems.length === 1 ? '' : 's'} not imported
          </summary>
          <table className="report">
            <tbody>
              {problems.map((f) => (
                <tr key={f.path}>
                  <td>{f.path}</td>
                  <td>{f.status === 'skipped' ? f.reason : `duplicate of ${f.duplicateOf}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {error && <p className="error">{error}</p>}
      <button type="button" className="danger" onClick={() => void remove()}>
        Delete dataset
      </button>
    </section>
  )
}
