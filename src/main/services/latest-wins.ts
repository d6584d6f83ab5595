import { StudioError } from '../../shared/api/errors'

/**
 * "Latest request wins" for live controls (a dragged scrubber, a strength slider): per channel at most one
 * request runs and at most one waits. A newer request replaces the waiting one, which is answered
 * 'superseded' at once — so dragging never builds a queue, and the last position is always rendered.
 */
export class LatestWins {
  private readonly channels = new Map<string, { running: boolean; waiting: { start: () => void; reject: (e: Error) => void } | null }>()

  run<T>(channel: string, work: () => Promise<T>): Promise<T> {
    let state = this.channels.get(channel)
    if (!state) this.channels.set(channel, (state = { running: false, waiting: null }))
    const slot = state
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        slot.running = true
        work()
          .then(resolve, reject)
          .finally(() => {
            slot.running = false
            const next = slot.waiting
            slot.waiting = null
            next?.start()
          })
      }
      if (!slot.running) {
        start()
        return
      }
      slot.waiting?.reject(new StudioError('superseded', 'A newer request replaced this one.'))
      slot.waiting = { start, reject }
    })
  }
}
