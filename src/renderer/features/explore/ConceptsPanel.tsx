import { useEffect, useRef, useState } from 'react'
import type { RgbaImage } from '../../../shared/api/image'
import { studio } from '../../api/client'
import { errorText, useStudioData } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { useDialogs } from '../../components/dialogs'
import { exportConcept } from '../export/export-actions'
import { type ModelChoice, runRef, useRunRef } from './model-ref'
import { type Sample, zSpecOf } from './selection'

/**
 * Concepts saved from arithmetic, applied to any sample: a strength slider that renders while dragging, and a
 * sweep along the concept (the paper's "turn" vector, Fig. 8).
 */
export function ConceptsPanel({ model, sample, version }: { model: ModelChoice; sample: Sample | null; version: number }) {
  const concepts = useStudioData(() => studio.call('concepts.list', { runId: model.id }), [model.id, version])
  const [conceptId, setConceptId] = useState<string>('')
  const [strength, setStrength] = useState(1)
  const [applied, setApplied] = useState<RgbaImage | null>(null)
  const [sweep, setSweep] = useState<RgbaImage[]>([])
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const ticket = useRef(0)
  const dialogs = useDialogs()
  const run = useRunRef(runRef(model))
  const concept = concepts.data?.find((c) => c.id === conceptId) ?? concepts.data?.[0]

  useEffect(() => {
    if (!sample || !concept) return
    const mine = ++ticket.current
    studio
      .call('explore.applyConcept', { run, z: zSpecOf(sample), conceptId: concept.id, strengths: [strength], channel: 'concept-slider' })
      .then((r) => mine === ticket.current && r.samples[0] && setApplied(r.samples[0].image))
      .catch((err: unknown) => (err as { code?: string }).code !== 'superseded' && setError(errorText(err)))
  }, [sample, concept, strength, run])

  const doSweep = async (): Promise<void> => {
    if (!sample || !concept) return
    try {
      const strengths = Array.from({ length: 9 }, (_, i) => -2 + i * 0.5)
      const r = await studio.call('explore.applyConcept', { run, z: zSpecOf(sample), conceptId: concept.id, strengths, channel: 'concept-sweep' })
      setSweep(r.samples.map((s) => s.image))
    } catch (err) {
      setError(errorText(err))
    }
  }

  const doExport = async (): Promise<void> => {
    if (!concept) return
    setError(null)
    setNotice(null)
    const out = await dialogs.prompt({
      title: `Export the concept "${concept.name}"`,
      label: "JSON file on the machine running the studio (a relative path lands in the library's exports folder)",
      initial: `concept-${
        concept.name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '') || concept.id
      }.json`,
      confirmLabel: 'Export',
      validate: (value) => (value.trim() ? null : 'A file name is needed, e.g. smile.json.')
    })
    if (out === null) return
    try {
      const saved = await exportConcept({ id: concept.id, out: out.trim() })
      setNotice(`Exported "${concept.name}" to ${saved.file}.`)
    } catch (err) {
      setError(errorText(err))
    }
  }

  const remove = async (): Promise<void> => {
    if (!concept) return
    const sure = await dialogs.confirm({
      title: 'Delete this concept?',
      message: `Delete the concept "${concept.name}"? Exports made from it keep their files.`,
      confirmLabel: 'Delete concept',
      danger: true
    })
    if (!sure) return
    await studio.call('concepts.delete', { id: concept.id }).catch((err: unknown) => setError(errorText(err)))
    concepts.reload()
  }

  return (
    <section className="card grow" data-testid="concepts-panel">
      <h2>Concepts</h2>
      {concepts.data?.length === 0 && <p className="muted">No concepts for this model yet: save one from the arithmetic result.</p>}
      {concept && (
        <>
          <div className="toolbar">
            <label>
              Concept
              <select value={concept.id} onChange={(e) => setConceptId(e.target.value)} data-testid="concept-select">
                {concepts.data?.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.kind})
                  </option>
                ))}
              </select>
            </label>
            <label>
              Strength {strength.toFixed(2)}
              <input
                type="range"
                min={-3}
                max={3}
                step={0.05}
                value={strength}
                onChange={(e) => setStrength(Number(e.target.value))}
                data-testid="concept-strength"
              />
            </label>
            <button type="button" disabled={!sample} onClick={() => void doSweep()} data-testid="concept-sweep">
              Sweep −2…+2
            </button>
            <button type="button" onClick={() => void doExport()} data-testid="concept-export">
              Export…
            </button>
            <button type="button" className="danger" onClick={() => void remove()}>
              Delete
            </button>
          </div>
          {!sample && <p className="muted">Select a sample to apply the concept to.</p>}
          {sample && (
            <div className="tiles row">
              <ImageTile image={sample.image} size={64} label="original" testId="concept-original" />
              <span className="op">→</span>
              {applied && <ImageTile image={applied} size={64} label={`with ${concept.name}`} testId="concept-applied" />}
            </div>
          )}
          {sweep.length > 0 && (
            <div className="tiles strip" data-testid="concept-sweep-strip" data-frames={sweep.length}>
              {sweep.map((image, i) => (
                <ImageTile key={i} image={image} size={48} label={`strength ${-2 + i * 0.5}`} />
              ))}
            </div>
          )}
        </>
      )}
      {notice && (
        <p className="muted" data-testid="concept-notice">
          {notice}
        </p>
      )}
      {error && <p className="error">{error}</p>}
    </section>
  )
}
