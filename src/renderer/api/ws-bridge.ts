import type { CallOutcome, StudioBridge } from '../../shared/api/contract'
import { WsServerMessage, decodeFrame, encodeFrame } from '../../shared/api/wire'

export type ConnectionState = 'connecting' | 'open' | 'closed'

/**
 * The Studio bridge over web mode's WebSocket. The session cookie set when the page was opened with its token
 * authenticates the upgrade, so no secret is handled here. Reconnects after a drop; calls in flight when the
 * connection drops fail with a clear error instead of hanging.
 */
export function createWebSocketBridge(url: string, onState: (state: ConnectionState) => void = () => {}): StudioBridge {
  const pending = new Map<number, (outcome: CallOutcome) => void>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let nextId = 1
  let socket: WebSocket
  let opened: Promise<void>
  let retryMs = 500

  const connect = (): void => {
    onState('connecting')
    socket = new WebSocket(url)
    socket.binaryType = 'arraybuffer'
    opened = new Promise<void>((resolve) => socket.addEventListener('open', () => resolve(), { once: true }))
    socket.addEventListener('open', () => {
      retryMs = 500
      onState('open')
    })
    socket.addEventListener('message', (event) => {
      if (!(event.data instanceof ArrayBuffer)) return
      const parsed = WsServerMessage.safeParse(decodeFrame(new Uint8Array(event.data)))
      if (!parsed.success) {
        console.error('Ignored a malformed message from the studio server')
        return
      }
      const message = parsed.data
      if (message.t === 'result') {
        pending.get(message.id)?.(message.outcome)
        pending.delete(message.id)
      } else {
        for (const listener of listeners.get(message.event) ?? []) listener(message.payload)
      }
    })
    socket.addEventListener('close', () => {
      onState('closed')
      for (const resolve of pending.values()) {
        resolve({ ok: false, error: { code: 'engine_unavailable', message: 'Lost the connection to the studio server. Is it still running?' } })
      }
      pending.clear()
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 10_000)
    })
  }
  connect()

  return {
    async invoke(method, params) {
      await opened
      const id = nextId++
      return new Promise<CallOutcome>((resolve) => {
        pending.set(id, resolve)
        socket.send(encodeFrame({ t: 'call', id, method, params }))
      })
    },
    on(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener)
      return () => set.delete(listener)
    }
  }
}
