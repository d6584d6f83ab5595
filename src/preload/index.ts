import { contextBridge, ipcRenderer } from 'electron'
import type { CallOutcome, StudioBridge } from '../shared/api/contract'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../shared/api/ipc-channels'

/**
 * Exposes `window.studio` — the narrow Studio bridge — and nothing else: no ipcRenderer, no Node. The
 * renderer validates every result against the API contract on its side (src/shared/api/client.ts).
 */
const studio: StudioBridge = {
  invoke: (method, params) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, params) as Promise<CallOutcome>,
  on: (event, listener) => {
    const handler = (_e: Electron.IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler)
    }
  }
}

contextBridge.exposeInMainWorld('studio', studio)
