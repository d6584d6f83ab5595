import { useEffect, useState } from 'react'
import { connectionState, onConnectionState, studioMode } from '../api/client'
import { type ExploreTab, TOUR_STEPS, Tour } from '../features/tour/Tour'
import { useStudioEvent } from '../api/hooks'
import { DatasetsScreen } from '../features/datasets/DatasetsScreen'
import { ExperimentsScreen } from '../features/experiments/ExperimentsScreen'
import { ExploreScreen } from '../features/explore/ExploreScreen'
import { HomeScreen } from '../features/home/HomeScreen'
import { RunsScreen } from '../features/runs/RunsScreen'
import { TrainScreen } from '../features/train/TrainScreen'

const SCREENS = [
  { id: 'home', label: 'Home', key: '1' },
  { id: 'datasets', label: 'Datasets', key: '2' },
  { id: 'train', label: 'Train', key: '3' },
  { id: 'runs', label: 'Runs', key: '4' },
  { id: 'explore', label: 'Explore', key: '5' },
  { id: 'experiments', label: 'Experiments', key: '6' }
] as const
type ScreenId = (typeof SCREENS)[number]['id']

export function App() {
  const [connection, setConnection] = useState(connectionState)
  const [screen, setScreen] = useState<ScreenId>('home')
  const [runId, setRunId] = useState<string | null>(null)
  const [exploreTab, setExploreTab] = useState<ExploreTab>('walk')
  const [tourStep, setTourStep] = useState<number | null>(null)
  const startTour = (): void => {
    setScreen('explore')
    showTourStep(0)
  }
  const showTourStep = (step: number): void => {
    setTourStep(step)
    const tab = TOUR_STEPS[step]?.tab
    if (tab) setExploreTab(tab)
  }
  const closeTour = (): void => {
    setTourStep(null)
  }
  useEffect(() => {
    const off = onConnectionState(setConnection)
    // The socket may have opened between the first render and this subscription.
    setConnection(connectionState)
    return off
  }, [])
  // Follow a run that starts training anywhere (e.g. from the CLI against the same library) only if none is open.
  useStudioEvent('runs.event', ({ runId: id, event }) => {
    if (event.kind === 'started') setRunId((current) => current ?? id)
  })
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return
      const target = SCREENS.find((s) => s.key === event.key)
      if (target) {
        event.preventDefault()
        setScreen(target.id)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  const openRun = (id: string): void => {
    setRunId(id)
    setScreen('train')
  }

  return (
    <div className="app">
      <header className="app-header">
        <h1>DCGAN Studio</h1>
        <nav>
          {SCREENS.map((s) => (
            <button
              key={s.id}
              type="button"
              className={screen === s.id ? 'on' : ''}
              onClick={() => setScreen(s.id)}
              title={`Alt+${s.key}`}
              data-testid={`nav-${s.id}`}
            >
              {s.label}
            </button>
          ))}
        </nav>
        <span className="muted">{studioMode === 'electron' ? 'desktop app' : 'web mode'}</span>
        {connection !== 'open' && (
          <span className="pill pill-crashed" data-testid="connection-state">
            {connection === 'connecting' ? 'connecting…' : 'disconnected — retrying'}
          </span>
        )}
      </header>
      <main>
        {screen === 'home' && <HomeScreen onTour={startTour} onExplore={() => setScreen('explore')} />}
        {screen === 'datasets' && <DatasetsScreen />}
        {screen === 'train' && <TrainScreen runId={runId} onRunChosen={openRun} />}
        {screen === 'runs' && <RunsScreen onOpen={openRun} />}
        {tourStep !== null && screen === 'explore' && <Tour step={tourStep} onStep={showTourStep} onClose={closeTour} />}
        {screen === 'explore' && <ExploreScreen tab={exploreTab} onTab={setExploreTab} />}
        {screen === 'experiments' && <ExperimentsScreen />}
      </main>
    </div>
  )
}
