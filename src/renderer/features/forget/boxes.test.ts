import { describe, expect, it } from 'vitest'
import { BoxesFile } from '../../../shared/api/forget'
import type { Sample } from '../explore/selection'
import { NO_BOXES, addBox, boxAt, boxFromDrag, countBoxes, fitSamples, parseBoxesFile, removeBox, toBoxesFile } from './boxes'
import { commit, redo, startHistory, undo } from './history'

const image = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 4) }
const seeded = (seed: number, index: number): Sample => ({ key: `seed:${seed}:${index}`, seed, index, z: new Float32Array([0.5, -0.25]), image })
const box = { x0: 0.25, y0: 0.25, x1: 0.75, y1: 0.5 }

describe('boxes drawn for forgetting to draw', () => {
  it('snaps a drag to whole image pixels in either direction, and treats a tiny drag as a click', () => {
    expect(boxFromDrag({ x: 0.7, y: 0.52 }, { x: 0.26, y: 0.26 }, 32)).toEqual({ x0: 8 / 32, y0: 8 / 32, x1: 23 / 32, y1: 17 / 32 })
    expect(boxFromDrag({ x: 0.5, y: 0.5 }, { x: 0.51, y: 0.9 }, 32)).toBeNull()
    // Dragging past the edge stops at the edge.
    expect(boxFromDrag({ x: -0.2, y: 0.9 }, { x: 0.1, y: 1.4 }, 32)).toEqual({ x0: 0, y0: 28 / 32, x1: 4 / 32, y1: 1 })
  })

  it('selects the innermost box under a click', () => {
    const boxes = [{ x0: 0, y0: 0, x1: 1, y1: 1 }, box]
    expect(boxAt(boxes, { x: 0.5, y: 0.4 })).toBe(1)
    expect(boxAt(boxes, { x: 0.1, y: 0.9 })).toBe(0)
    expect(boxAt([box], { x: 0.1, y: 0.9 })).toBe(-1)
  })

  it('adds and removes boxes per sample, dropping a sample with no box left, with undo and redo', () => {
    let h = startHistory(NO_BOXES)
    h = commit(h, addBox(h.present, 'seed:0:1', box))
    h = commit(h, addBox(h.present, 'seed:0:1', { ...box, y0: 0.6, y1: 0.9 }))
    h = commit(h, addBox(h.present, 'seed:0:4', box))
    expect(countBoxes(h.present)).toEqual({ samples: 2, boxes: 3 })
    h = commit(h, removeBox(h.present, 'seed:0:4', 0))
    expect(Object.keys(h.present)).toEqual(['seed:0:1'])
    h = undo(h)
    expect(countBoxes(h.present)).toEqual({ samples: 2, boxes: 3 })
    h = undo(undo(h))
    expect(countBoxes(h.present)).toEqual({ samples: 1, boxes: 1 })
    h = redo(h)
    expect(countBoxes(h.present)).toEqual({ samples: 1, boxes: 2 })
    // A new edit after undo forgets the redo branch.
    h = commit(h, {})
    expect(redo(h)).toBe(h)
  })

  it('writes a boxes file the CLI reads, with unboxed samples as negatives, and reads it back', () => {
    const boxes = addBox(NO_BOXES, 'seed:3:2', box)
    const pasted: Sample = { key: 'z:x', seed: null, index: 0, z: new Float32Array([0.5, -0.25]), image }
    const file = toBoxesFile('demo', fitSamples([seeded(3, 2)], [pasted], boxes))
    expect(BoxesFile.safeParse(JSON.parse(JSON.stringify(file))).success).toBe(true)
    const back = parseBoxesFile(JSON.stringify(file))
    expect(back.runId).toBe('demo')
    expect(back.samples[0]).toEqual({ z: { kind: 'seed', seed: 3, index: 2 }, boxes: [box] })
    expect(back.samples[1]?.boxes).toEqual([])
    expect(Array.from(back.samples[1]?.z.kind === 'z' ? back.samples[1].z.z : [])).toEqual([0.5, -0.25])
  })

  it('says what is wrong with a file that is not a boxes file', () => {
    expect(() => parseBoxesFile('{')).toThrow(/not JSON/)
    expect(() => parseBoxesFile(JSON.stringify({ formatVersion: 1, samples: [{ z: { kind: 'seed', seed: 1 }, boxes: [] }] }))).toThrow(/at least one box/)
  })
})
