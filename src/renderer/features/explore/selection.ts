import type { RgbaImage } from '../../../shared/api/image'

/**
 * A sample the user picked: it keeps the seed that names it (when it has one) and its z, so it can be
 * re-rendered, pasted elsewhere, used as a keyframe or an arithmetic exemplar.
 */
export interface Sample {
  key: string
  seed: number | null
  index: number
  z: Float32Array<ArrayBuffer>
  image: RgbaImage
}

export function sampleKey(seed: number | null, index: number, z: Float32Array): string {
  return seed === null ? `z:${Array.from(z.slice(0, 4), (v) => v.toFixed(4)).join(',')}` : `seed:${seed}:${index}`
}

/** How a sample is sent to the studio: by seed when it has one (exact and short), else by its vector. */
export function zSpecOf(sample: Sample): { kind: 'seed'; seed: number; index: number } | { kind: 'z'; z: Float32Array<ArrayBuffer> } {
  return sample.seed === null ? { kind: 'z', z: sample.z } : { kind: 'seed', seed: sample.seed, index: sample.index }
}

/** A z as text to copy (a JSON array), and back — with a clear error for anything else. */
export function zToText(z: Float32Array): string {
  return JSON.stringify(Array.from(z, (v) => Number(v.toFixed(6))))
}

export function zFromText(text: string, zDim: number): Float32Array<ArrayBuffer> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error('That is not a z vector: paste a JSON array of numbers, as "Copy z" makes.')
  }
  if (!Array.isArray(value)) throw new Error('That is not a z vector: it must be a JSON array of numbers, [0.1, -0.5, …].')
  const bad = value.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v))
  if (bad >= 0) throw new Error(`That is not a z vector: number ${bad + 1} is ${JSON.stringify(value[bad])}, not a finite number.`)
  if (value.length !== zDim) throw new Error(`That z has ${value.length} numbers; this model takes ${zDim}.`)
  return new Float32Array(value as number[])
}
