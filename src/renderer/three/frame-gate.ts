/**
 * Decides when a 3D view draws: only after something changed (`invalidate`), at most once per animation
 * frame however many changes arrive, and never while the view cannot be seen — scrolled out, in a hidden
 * tab or window, or collapsed to zero size. A change made while hidden is remembered and drawn once the view
 * shows again. Training shares the machine, so an idle or hidden view must cost nothing.
 *
 * The frame scheduler is passed in (requestAnimationFrame in the page) so the rules can be tested in Node.
 */
export interface FrameGate {
  /** Something the picture depends on changed: draw once, soon, if the view can be seen. */
  invalidate(): void
  /** Report what the view's observers saw; any field left out keeps its last value. */
  update(visibility: Partial<Visibility>): void
  /** Whether a change is waiting to be drawn. */
  readonly dirty: boolean
  dispose(): void
}

export interface Visibility {
  /** The view intersects the viewport (IntersectionObserver). */
  inView: boolean
  /** document.visibilityState is 'visible'. */
  pageVisible: boolean
  width: number
  height: number
}

export interface FrameScheduler {
  request(callback: () => void): number
  cancel(handle: number): void
}

export function createFrameGate(draw: () => void, scheduler: FrameScheduler, initial: Visibility): FrameGate {
  const state: Visibility = { ...initial }
  let dirty = true
  let pending: number | null = null
  let disposed = false

  const canDraw = (): boolean => state.inView && state.pageVisible && state.width > 0 && state.height > 0

  const schedule = (): void => {
    if (disposed || pending !== null || !dirty || !canDraw()) return
    pending = scheduler.request(() => {
      pending = null
      // Hidden between the request and the frame: keep the change for when it shows again.
      if (disposed || !dirty || !canDraw()) return
      dirty = false
      draw()
    })
  }

  // Nothing has been drawn yet: the first picture is due as soon as the view can be seen.
  schedule()

  return {
    invalidate() {
      dirty = true
      schedule()
    },
    update(visibility) {
      const resized =
        (visibility.width !== undefined && visibility.width !== state.width) || (visibility.height !== undefined && visibility.height !== state.height)
      Object.assign(state, visibility)
      // A new size needs a new picture (the drawing buffer was cleared by the resize).
      if (resized) dirty = true
      if (!canDraw() && pending !== null) {
        scheduler.cancel(pending)
        pending = null
      }
      schedule()
    },
    get dirty() {
      return dirty
    },
    dispose() {
      disposed = true
      if (pending !== null) scheduler.cancel(pending)
      pending = null
    }
  }
}
