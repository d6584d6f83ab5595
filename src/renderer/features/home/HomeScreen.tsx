import { useCallback, useEffect, useState } from 'react'
import type { EngineStatus } from '../../../shared/api/engine'
import { studio } from '../../api/client'
import { EngineStatusCard } from '../engine/EngineStatusCard'
import { GeneratePanel } from './GeneratePanel'

export function HomeScreen() {
  const [status, setStatus] = useState<EngineStatus | null>(null)
  const [error, setError] = useState<string | null>(null)

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
      <EngineStatusCard status={status} error={error} onRestart={restart} />
      <GeneratePanel />
    </div>
  )
}
