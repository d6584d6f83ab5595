import type { EventPayload, StudioEvent } from '../../shared/api/contract'

export type StudioEventListener = <E extends StudioEvent>(event: E, payload: EventPayload<E>) => void

/** Fan-out of Studio API events to every connected front end (Electron windows, WebSocket clients). */
export class StudioEvents {
  private readonly listeners = new Set<StudioEventListener>()

  emit<E extends StudioEvent>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) listener(event, payload)
  }

  subscribe(listener: StudioEventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
