import { useCallback, useEffect, useState } from 'react'
import type { EngineStatus } from '../../../shared/api/engine'
import { studio } from '../../api/client'
import { useStudioData } from '../../api/hooks'
import { EngineStatusCard } from '../engine/EngineStatusCard'
import { GeneratePanel } from './GeneratePanel'

/** When the demo model is in the library: what it is, and the way into it. */
function DemoCard({ demoRunId, onTour, onExplore }: { demoRunId: string | null; onTour: () => void; onExplore: () => void }) {
  if (!demoRunId) return null
  return (
    <section className="card" data-testid="demo-card">
      <h2>Welcome — a demo model is ready</h2>
      <p>
        A DCGAN trained with this studio on procedural faces (smiling or not, feminine or masculine cues, glasses, hair, skin, head turn) is ready to explore:
        walks, face arithmetic, filters.
      </p>
      <div className="row">
        <button type="button" onClick={onTour} data-testid="demo-tour">
          Take the tour
        </button>
        <button type="button" onClick={onExplore}>
          Explore it
        </button>
      </div>
    </section>
  )
}

export function HomeScreen({ onTour, onExplore }: { onTour: () => void; onExplore: () => void }) {
  const [status, setStatus] = useState<EngineStatus | null>(null)
  const [error, setError] = useState<string | null>(null)
  const info = useStudioData(() => studio.call('library.info'), [])
  const demoRunId = info.data?.demoRunId ?? null

  useEffect(() => {
    let live = true
    studio
      .call('engine.status')
      .then((s) => live && setStatus(s))
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)))
    const off = studio.on('engine.status', (s) => {
      setStatus(s)
      setError(null)
    })
    return () => {
      live = false
      off()
    }
  }, [])

  const restart = useCallback(() => {
    setStatus(null)
    studio
      .call('engine.restart')
      .then(setStatus)
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
  }, [])

  return (
    <div className="home">
      <DemoCard demoRunId={demoRunId} onTour={onTour} onExplore={onExplore} />
      <EngineStatusCard status={status} error={error} onRestart={restart} />
      {info.data && <GeneratePanel demoRunId={demoRunId} />}
    </div>
  )
}
