import { useEffect, useState } from 'react'
import { studio } from '../../api/client'
import { errorText } from '../../api/hooks'

/**
 * The fixed-noise sample grids of a run, one per sampled step, with a slider over steps. Follows the newest
 * grid while training unless the user moves the slider back.
 */
export function SampleTimeline({ runId, steps }: { runId: string; steps: number[] }) {
  const [index, setIndex] = useState(steps.length - 1)
  const [follow, setFollow] = useState(true)
  const [url, setUrl] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    if (follow) setIndex(steps.length - 1)
  }, [steps.length, follow])

  const step = steps[Math.min(Math.max(index, 0), steps.length - 1)]
  useEffect(() => {
    if (step === undefined) return
    let live = true
    let made: string | null = null
    studio
      .call('runs.sample', { id: runId, step })
      .then((sample) => {
        if (!live) return
        made = URL.createObjectURL(new Blob([sample.png], { type: 'image/png' }))
        setUrl(made)
        setError(null)
      })
      .catch((err: unknown) => live && setError(errorText(err)))
    return () => {
      live = false
      if (made) URL.revokeObjectURL(made)
    }
  }, [runId, step])

  if (steps.length === 0) return <p className="muted">The first sample grid appears when training starts.</p>
  return (
    <div className="timeline" data-testid="sample-timeline" data-steps={steps.length}>
      <div className="row">
        <input
          type="range"
          min={0}
          max={steps.length - 1}
          value={Math.min(index, steps.length - 1)}
          onChange={(e) => {
            const next = Number(e.target.value)
            setIndex(next)
            setFollow(next === steps.length - 1)
          }}
          aria-label="Sample timeline"
          data-testid="timeline-slider"
        />
        <span className="muted">
          step {step} ({Math.min(index, steps.length - 1) + 1}/{steps.length})
        </span>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow
        </label>
      </div>
      {error && <p className="error">{error}</p>}
      {url && <img src={url} alt={`Fixed-noise samples at step ${step}`} className="sample-grid-image" data-testid="timeline-image" />}
    </div>
  )
}
