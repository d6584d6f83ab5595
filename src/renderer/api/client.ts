import { type StudioClient, createStudioClient } from '../../shared/api/client'
import { type ConnectionState, createWebSocketBridge } from './ws-bridge'

/**
 * The renderer's one way to reach the studio. In the Electron app the preload provides `window.studio`; in
 * web mode the same API runs over a WebSocket to the server that served this page.
 */
export const studioMode: 'electron' | 'web' = window.studio ? 'electron' : 'web'

const connectionListeners = new Set<(state: ConnectionState) => void>()
export let connectionState: ConnectionState = studioMode === 'electron' ? 'open' : 'connecting'

export function onConnectionState(listener: (state: ConnectionState) => void): () => void {
  connectionListeners.add(listener)
  return () => connectionListeners.delete(listener)
}

function bridge() {
  if (window.studio) return window.studio
  const url = new URL('/api', window.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return createWebSocketBridge(url.toString(), (state) => {
    connectionState = state
    for (const listener of connectionListeners) listener(state)
  })
}

export const studio: StudioClient = createStudioClient(bridge())
