import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/select'
import { Rng } from '../../shared/latent/random'
import { pca, symmetricEigen } from './pca'

/** rows samples in cols dimensions: `scales[c]` × N(0, 1) along orthonormal direction c, plus small noise. */
function synthetic(rows: number, directions: readonly Float64Array[], scales: readonly number[], noise: number, seed = 1): Float32Array {
  const cols = directions[0]!.length
  const rng = new Rng(seed)
  const data = new Float32Array(rows * cols)
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = 5 + noise * rng.normal()
    directions.forEach((direction, c) => {
      const amount = scales[c]! * rng.normal()
      for (let j = 0; j < cols; j++) data[i * cols + j] = data[i * cols + j]! + amount * direction[j]!
    })
  }
  return data
}

/** A random unit vector, and one orthogonal to it. */
function orthonormalPair(cols: number, seed: number): [Float64Array, Float64Array] {
  const rng = new Rng(seed)
  const a = Float64Array.from({ length: cols }, () => rng.normal())
  const b = Float64Array.from({ length: cols }, () => rng.normal())
  const norm = (v: Float64Array): Float64Array => v.map((x) => x / Math.hypot(...v))
  const ua = norm(a)
  const dot = ua.reduce((s, x, i) => s + x * b[i]!, 0)
  return [ua, norm(b.map((x, i) => x - dot * ua[i]!))]
}

function absCosine(component: Float32Array, direction: Float64Array): number {
  let dot = 0
  let norm = 0
  component.forEach((x, i) => {
    dot += x * direction[i]!
    norm += x * x
  })
  return Math.abs(dot) / Math.sqrt(norm)
}

describe('pca', () => {
  beforeAll(async () => {
    await selectBackend('wasm')
  })

  it('recovers a known dominant direction and the next one, with their variances', async () => {
    const cols = 40
    const [first, second] = orthonormalPair(cols, 3)
    const data = synthetic(500, [first, second], [4, 2], 0.1)
    const result = await pca(data, 500, cols, 3)
    expect(absCosine(result.components.subarray(0, cols), first)).toBeGreaterThan(0.999)
    expect(absCosine(result.components.subarray(cols, 2 * cols), second)).toBeGreaterThan(0.999)
    // Sample variances near 16 and 4; the third component only finds the noise (0.01 per dimension).
    expect(result.variances[0]).toBeGreaterThan(12)
    expect(result.variances[0]).toBeLessThan(20)
    expect(result.variances[1]).toBeGreaterThan(3)
    expect(result.variances[1]).toBeLessThan(5)
    expect(result.variances[2]).toBeLessThan(0.05)
    // Nearly all of the variance lies in those two directions.
    expect(result.explained).toBeGreaterThan(0.95)
    expect(result.explained).toBeLessThanOrEqual(1)
  })

  it('scores are the centred samples projected on the components', async () => {
    const cols = 6
    const [first, second] = orthonormalPair(cols, 5)
    const rows = 50
    const data = synthetic(rows, [first, second], [3, 1], 0.2, 2)
    const { scores, components } = await pca(data, rows, cols, 3)
    const mean = Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => data[i * cols + j]!).reduce((s, v) => s + v, 0) / rows)
    for (const i of [0, 17, 49]) {
      for (let c = 0; c < 3; c++) {
        let projection = 0
        for (let j = 0; j < cols; j++) projection += (data[i * cols + j]! - mean[j]!) * components[c * cols + j]!
        expect(scores[i * 3 + c]).toBeCloseTo(projection, 4)
      }
    }
  })

  it('explains a share in (0, 1] of isotropic data, in about the ratio of dimensions', async () => {
    const rng = new Rng(9)
    const rows = 400
    const cols = 30
    const data = Float32Array.from({ length: rows * cols }, () => rng.next() * 2 - 1)
    const { explained, variances } = await pca(data, rows, cols, 3)
    expect(explained).toBeGreaterThan(3 / cols)
    expect(explained).toBeLessThan(0.25)
    expect(variances[0]).toBeGreaterThanOrEqual(variances[1]!)
    expect(variances[1]).toBeGreaterThanOrEqual(variances[2]!)
  })

  it('handles data with fewer dimensions than components, and data that does not vary', async () => {
    const line = Float32Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? Math.floor(i / 2) : 2 * Math.floor(i / 2)))
    const onLine = await pca(line, 10, 2, 3)
    expect(onLine.explained).toBeCloseTo(1, 6)
    expect(onLine.variances[2]).toBe(0)
    expect(Array.from(onLine.scores).every(Number.isFinite)).toBe(true)
    expect(Array.from(onLine.scores.filter((_, i) => i % 3 === 2))).toEqual(new Array(10).fill(0))

    const constant = await pca(new Float32Array(12).fill(0.5), 4, 3, 3)
    expect(constant.explained).toBe(0)
    expect(Array.from(constant.scores)).toEqual(new Array(12).fill(0))
  })

  it('is deterministic', async () => {
    const [first, second] = orthonormalPair(12, 4)
    const data = synthetic(60, [first, second], [2, 1], 0.5)
    expect(await pca(data, 60, 12, 3)).toEqual(await pca(data, 60, 12, 3))
  })

  it('leaves no tensor behind', async () => {
    const [first, second] = orthonormalPair(12, 6)
    const data = synthetic(60, [first, second], [2, 1], 0.5)
    const before = tf.memory().numTensors
    await pca(data, 60, 12, 3)
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('symmetricEigen', () => {
  it('diagonalises a symmetric matrix, largest eigenvalue first', () => {
    const matrix = Float64Array.of(4, 1, 0, 1, 3, 1, 0, 1, 2)
    const { values, vectors } = symmetricEigen(matrix, 3)
    expect(values[0]).toBeGreaterThan(values[1]!)
    expect(values[1]).toBeGreaterThan(values[2]!)
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(9, 10)
    for (let c = 0; c < 3; c++) {
      for (let r = 0; r < 3; r++) {
        let av = 0
        for (let k = 0; k < 3; k++) av += matrix[r * 3 + k]! * vectors[k * 3 + c]!
        expect(av).toBeCloseTo(values[c]! * vectors[r * 3 + c]!, 10)
      }
    }
  })
})
