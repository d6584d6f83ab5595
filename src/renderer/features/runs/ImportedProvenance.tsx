import type { RunRecord } from '../../../shared/formats/run'
import { MODEL_FORMAT_LABELS } from '../../../shared/formats/model-import'

/**
 * Where an imported model comes from, in the run view: who made it (when the record says), the files it was
 * read from, what the import noticed (estimated statistics, picked epochs), and the licence that came with it.
 */
export function ImportedProvenance({ record }: { record: RunRecord }): React.JSX.Element | null {
  const imported = record.imported
  if (!imported) return null
  return (
    <section className="imported-provenance" data-testid="run-provenance">
      <h3>Where this model comes from</h3>
      {imported.provenance && <p data-testid="run-provenance-text">{imported.provenance}</p>}
      <p className="muted small-print">
        Read as {MODEL_FORMAT_LABELS[imported.format]} from {imported.files.map((f) => f.name).join(' and ')} on{' '}
        {new Date(imported.importedAt).toLocaleDateString()}.
      </p>
      {imported.notes.length > 0 && (
        <ul className="muted small-print" data-testid="run-provenance-notes">
          {imported.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      {imported.licence && (
        <details data-testid="run-licence">
          <summary>Licence ({imported.licence.file})</summary>
          <pre className="licence-text">{imported.licence.text}</pre>
        </details>
      )}
    </section>
  )
}
