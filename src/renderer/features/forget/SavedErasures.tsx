import { useState } from 'react'
import type { ErasureRecord } from '../../../shared/api/forget'
import { errorText } from '../../api/hooks'
import { useDialogs } from '../../components/dialogs'
import { deleteErasure } from './forget-actions'

/** The run's saved erasures, newest first, each with what it drops and a delete button. */
export function SavedErasures({
  erasures,
  onChanged,
  onOpen
}: {
  erasures: ErasureRecord[] | null
  onChanged: () => void
  onOpen: (record: ErasureRecord) => void
}) {
  const [error, setError] = useState<string | null>(null)
  const dialogs = useDialogs()
  const remove = async (record: ErasureRecord): Promise<void> => {
    const sure = await dialogs.confirm({
      title: 'Delete this erasure?',
      message: `Delete the erasure "${record.name}"? Exports made with it keep their files.`,
      confirmLabel: 'Delete erasure',
      danger: true
    })
    if (!sure) return
    setError(null)
    try {
      await deleteErasure(record.id)
    } catch (err) {
      setError(errorText(err))
    }
    onChanged()
  }
  if (!erasures) return null
  const sorted = [...erasures].sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  return (
    <div data-testid="forget-saved-list" data-count={erasures.length}>
      <h3>Saved erasures of this run</h3>
      {sorted.length === 0 && <p className="muted">None yet: fit one above and save it.</p>}
      <ul className="erasure-list">
        {sorted.map((e) => (
          <li key={e.id} data-testid="forget-saved-item">
            <b>{e.name}</b>
            <span className="muted">
              {e.erase.channels.length} of {e.maps.length} maps of {e.erase.layer}, checkpoint step {e.step}; {e.boxes.boxes} boxes on {e.boxes.samples}{' '}
              samples; {new Date(e.createdAt).toLocaleString()}
            </span>
            <button
              type="button"
              className="small"
              onClick={() => onOpen(e)}
              title="Load its boxes and fit settings above, to look again or refit"
              data-testid="forget-open"
            >
              Open boxes
            </button>
            <button type="button" className="danger small" onClick={() => void remove(e)} aria-label={`Delete the erasure ${e.name}`}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      {error && <p className="error">{error}</p>}
    </div>
  )
}
