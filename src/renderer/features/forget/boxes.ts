import type { ExportZSpec } from '../../../shared/api/export'
import { type Box, BoxesFile, type BoxedSample } from '../../../shared/api/forget'
import { type Sample, zSpecOf } from '../explore/selection'

/**
 * The boxes the user draws for "forgetting to draw", as plain data and pure edits (no React), so the panel's
 * undo, the file format and the fit request all agree. Boxes are kept per sample key, in fractions of the
 * image (the API's unit), so they mean the same thing at any zoom.
 */

/** Every sample's boxes by sample key; a sample with no box has no entry. */
export type BoxMap = Readonly<Record<string, readonly Box[]>>

export const NO_BOXES: BoxMap = {}

export function addBox(map: BoxMap, key: string, box: Box): BoxMap {
  return { ...map, [key]: [...(map[key] ?? []), box] }
}

export function removeBox(map: BoxMap, key: string, index: number): BoxMap {
  const boxes = map[key]
  if (!boxes || index < 0 || index >= boxes.length) return map
  const rest = boxes.filter((_, i) => i !== index)
  const { [key]: _removed, ...others } = map
  return rest.length > 0 ? { ...others, [key]: rest } : others
}

export function countBoxes(map: BoxMap): { samples: number; boxes: number } {
  const lists = Object.values(map).filter((boxes) => boxes.length > 0)
  return { samples: lists.length, boxes: lists.reduce((sum, boxes) => sum + boxes.length, 0) }
}

/** A point on a sample, in fractions of its size. */
export interface Point {
  x: number
  y: number
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v))

/**
 * The box a drag from `a` to `b` draws on an image of `pixels` per side, snapped outwards to whole image
 * pixels (a box on a 32-px sample is about pixels, not about where the mouse was inside an enlarged one).
 * Null when the drag is too small to be a box: a click, not a drag.
 */
export function boxFromDrag(a: Point, b: Point, pixels: number): Box | null {
  const x0 = clamp01(Math.min(a.x, b.x))
  const x1 = clamp01(Math.max(a.x, b.x))
  const y0 = clamp01(Math.min(a.y, b.y))
  const y1 = clamp01(Math.max(a.y, b.y))
  if ((x1 - x0) * pixels < 0.75 || (y1 - y0) * pixels < 0.75) return null
  const snap = (v: number, round: (n: number) => number): number => round(v * pixels) / pixels
  return { x0: snap(x0, Math.floor), y0: snap(y0, Math.floor), x1: snap(x1, Math.ceil), y1: snap(y1, Math.ceil) }
}

/** The innermost box under a point (the one a click most likely means), or -1. */
export function boxAt(boxes: readonly Box[], p: Point): number {
  let best = -1
  let bestArea = Infinity
  boxes.forEach((box, i) => {
    const area = (box.x1 - box.x0) * (box.y1 - box.y0)
    if (p.x >= box.x0 && p.x <= box.x1 && p.y >= box.y0 && p.y <= box.y1 && area < bestArea) {
      best = i
      bestArea = area
    }
  })
  return best
}

/** A ZSpec as JSON can carry it (a z vector as a plain array). */
function plainZ(sample: Sample): ExportZSpec {
  const spec = zSpecOf(sample)
  return spec.kind === 'seed' ? spec : { kind: 'z', z: Array.from(spec.z) }
}

/**
 * The samples a fit uses, in the API's shape: every boxed sample, then (when asked) the unboxed samples the
 * user has looked at, as samples without the object (they give negatives only).
 */
export function fitSamples(boxed: readonly Sample[], unboxed: readonly Sample[], map: BoxMap): BoxedSample[] {
  return [...boxed.map((s) => ({ z: plainZ(s), boxes: [...(map[s.key] ?? [])] })), ...unboxed.map((s) => ({ z: plainZ(s), boxes: [] }))]
}

/** The boxes file the CLI reads (`dcgan-studio forget --boxes FILE.json`). */
export function toBoxesFile(runId: string, samples: BoxedSample[]): BoxesFile {
  return { formatVersion: 1, runId, samples }
}

/** A boxes file's text, checked; errors say what is wrong in words a user can act on. */
export function parseBoxesFile(text: string): { runId: string | null; samples: { z: ExportZSpec; boxes: Box[] }[] } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error('That file is not JSON: choose a boxes file saved here or written for `dcgan-studio forget --boxes`.')
  }
  const parsed = BoxesFile.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
    throw new Error(`That is not a boxes file${where}: ${issue?.message ?? 'unknown problem'}.`)
  }
  return { runId: parsed.data.runId ?? null, samples: parsed.data.samples }
}
