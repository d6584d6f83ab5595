/**
 * Pause, resume and stop for a training loop, from outside it (the engine's message handler). The loop looks at
 * it between steps only: a step is never cut in half, so every state it leaves behind can be checkpointed.
 */
export class TrainingControl {
  private pausedValue = false
  private stoppedValue = false
  private wake: (() => void) | null = null

  get paused(): boolean {
    return this.pausedValue && !this.stoppedValue
  }

  get stopped(): boolean {
    return this.stoppedValue
  }

  /** Pause after the current step. */
  pause(): void {
    if (!this.stoppedValue) this.pausedValue = true
  }

  resume(): void {
    this.pausedValue = false
    this.release()
  }

  /** Stop after the current step (a paused loop stops at once); the loop then writes a checkpoint. */
  stop(): void {
    this.stoppedValue = true
    this.pausedValue = false
    this.release()
  }

  /** Resolves at once when not paused, else when resumed or stopped. */
  waitIfPaused(): Promise<void> {
    if (!this.paused) return Promise.resolve()
    return new Promise((resolve) => {
      const previous = this.wake
      this.wake = () => {
        previous?.()
        resolve()
      }
    })
  }

  private release(): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }
}
