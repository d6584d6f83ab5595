import { type IpcMainInvokeEvent, type WebContents, ipcMain } from 'electron'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/api/ipc-channels'
import type { Studio } from '../services/studio'

/**
 * The only code that touches ipcMain. The sender check lives here, so no handler can forget it: calls are
 * accepted only from our own renderer (served from the app:// scheme), and the raw event never reaches a
 * handler — handlers see validated parameters only (dispatch()).
 */
export function registerStudioIpc(studio: Studio, isTrustedUrl: (url: string) => boolean): () => void {
  const subscribers = new Set<WebContents>()

  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, method: unknown, params: unknown) => {
    const url = event.senderFrame?.url ?? ''
    if (!isTrustedUrl(url)) {
      return { ok: false, error: { code: 'bad_request', message: `Refused a call from an untrusted page (${url || 'unknown'}).` } }
    }
    const contents = event.sender
    if (!subscribers.has(contents)) {
      subscribers.add(contents)
      contents.once('destroyed', () => subscribers.delete(contents))
    }
    return studio.call(typeof method === 'string' ? method : String(method), params)
  })

  const unsubscribe = studio.events.subscribe((event, payload) => {
    for (const contents of subscribers) {
      if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event, payload)
    }
  })

  return () => {
    unsubscribe()
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL)
  }
}
