import { useEffect, useState } from 'react'
import { connectionState, onConnectionState, studioMode } from '../api/client'
import { HomeScreen } from '../features/home/HomeScreen'

export function App() {
  const [connection, setConnection] = useState(connectionState)
  useEffect(() => onConnectionState(setConnection), [])
  return (
    <div className="app">
      <header className="app-header">
        <h1>DCGAN Studio</h1>
        <span className="muted">{studioMode === 'electron' ? 'desktop app' : 'web mode'}</span>
        {connection !== 'open' && (
          <span className="pill pill-crashed" data-testid="connection-state">
            {connection === 'connecting' ? 'connecting…' : 'disconnected — retrying'}
          </span>
        )}
      </header>
      <main>
        <HomeScreen />
      </main>
    </div>
  )
}
