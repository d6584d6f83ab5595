import type { EngineToHost } from '../shared/engine-protocol'

/**
 * The engine's side of its channel to the host. Under Electron it is a utilityProcess and talks over
 * `process.parentPort`; in web mode and the CLI it is a Node child process and talks over `process.send`.
 * The engine never imports electron: it only looks at what the process object offers.
 */
export interface HostPort {
  send(message: EngineToHost): void
  onMessage(listener: (message: unknown) => void): void
  /** Called when the host goes away; the engine should exit. */
  onDisconnect(listener: () => void): void
}

interface ElectronParentPort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): void
}

export function connectToHost(): HostPort {
  const parentPort = (process as { parentPort?: ElectronParentPort }).parentPort
  if (parentPort) {
    return {
      send: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
      // Electron ends a utility process together with its parent.
      onDisconnect: () => {}
    }
  }
  const send = process.send?.bind(process)
  if (!send) {
    throw new Error('The engine must be started by DCGAN Studio (as a child process with an IPC channel).')
  }
  return {
    send: (message) => {
      if (process.connected) send(message)
    },
    onMessage: (listener) => process.on('message', listener),
    onDisconnect: (listener) => process.on('disconnect', listener)
  }
}
