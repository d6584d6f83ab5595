import { describe, expect, it } from 'vitest'
import { type Visibility, createFrameGate } from './frame-gate'

/** A hand-cranked animation-frame scheduler: frames run only when the test says so. */
function harness(initial: Partial<Visibility> = {}) {
  const queue = new Map<number, () => void>()
  let next = 1
  let draws = 0
  const gate = createFrameGate(
    () => draws++,
    {
      request: (cb) => {
        queue.set(next, cb)
        return next++
      },
      cancel: (handle) => queue.delete(handle)
    },
    { inView: true, pageVisible: true, width: 300, height: 200, ...initial }
  )
  const frame = (): void => {
    const callbacks = [...queue.values()]
    queue.clear()
    for (const cb of callbacks) cb()
  }
  return { gate, frame, draws: () => draws, pending: () => queue.size }
}

describe('frame gate (drawing on demand)', () => {
  it('draws once for any number of changes before the next frame', () => {
    const h = harness()
    h.gate.invalidate()
    h.gate.invalidate()
    h.gate.invalidate()
    expect(h.pending()).toBe(1)
    h.frame()
    expect(h.draws()).toBe(1)
  })

  it('draws nothing while idle', () => {
    const h = harness()
    h.gate.invalidate()
    h.frame()
    for (let i = 0; i < 10; i++) h.frame()
    expect(h.draws()).toBe(1)
    expect(h.pending()).toBe(0)
  })

  it('does not draw while scrolled out, in a hidden tab or at zero size, and draws once on showing again', () => {
    for (const hidden of [{ inView: false }, { pageVisible: false }, { width: 0 }, { height: 0 }] as Partial<Visibility>[]) {
      const h = harness(hidden)
      h.gate.invalidate()
      h.gate.invalidate()
      h.frame()
      expect(h.draws()).toBe(0)
      expect(h.pending()).toBe(0)
      h.gate.update({ inView: true, pageVisible: true, width: 300, height: 200 })
      h.frame()
      expect(h.draws()).toBe(1)
    }
  })

  it('cancels a requested frame when the view hides before it comes, and keeps the change for later', () => {
    const h = harness()
    h.gate.invalidate()
    h.gate.update({ pageVisible: false })
    expect(h.pending()).toBe(0)
    h.frame()
    expect(h.draws()).toBe(0)
    expect(h.gate.dirty).toBe(true)
    h.gate.update({ pageVisible: true })
    h.frame()
    expect(h.draws()).toBe(1)
  })

  it('showing again without a change draws nothing; a resize does', () => {
    const h = harness()
    h.frame()
    expect(h.draws()).toBe(1)
    h.gate.update({ inView: false })
    h.gate.update({ inView: true })
    h.frame()
    expect(h.draws()).toBe(1)
    h.gate.update({ width: 500 })
    h.frame()
    expect(h.draws()).toBe(2)
  })

  it('never draws after dispose', () => {
    const h = harness()
    h.gate.invalidate()
    h.gate.dispose()
    h.frame()
    h.gate.invalidate()
    h.frame()
    expect(h.draws()).toBe(0)
  })
})
