import { describe, expect, it, vi } from 'vitest'
import { FeaturesParams, MapParams } from '../../shared/api/explore'

// Tests of the two 3D panels (src/renderer/features/explore) live here, under the renderer's tsconfig: the
// panels are TSX and tests/ is type-checked as Node code without JSX.
// The panels reach the studio through the renderer's client, which needs a page; their logic does not.
vi.mock('../api/client', () => ({ studio: { call: vi.fn(), on: vi.fn() } }))

const { MAP_COUNT_RANGE, clampMapCount, mapSample } = await import('../features/explore/MapPanel')
const { STACK_MAPS_PER_LAYER, stackRequest } = await import('../features/explore/LayerStackPanel')

const image = { width: 2, height: 2, data: new Uint8Array(16) }

describe('latent map panel', () => {
  const map = { seed: 42, zDim: 3, z: new Float32Array([0, 1, 2, 10, 11, 12, 20, 21, 22]) }

  it('makes map sample i the sample { seed, index: i } with its own copy of its z', () => {
    const sample = mapSample(map, 1, image)
    expect(sample).toMatchObject({ key: 'seed:42:1', seed: 42, index: 1, image })
    expect(Array.from(sample.z)).toEqual([10, 11, 12])
    expect(sample.z.buffer).not.toBe(map.z.buffer)
  })

  it('refuses a sample the map does not have', () => {
    expect(() => mapSample(map, 3, image)).toThrow(/no sample 3/)
  })

  it('keeps the sample count within what the studio accepts', () => {
    expect(clampMapCount(300)).toBe(300)
    expect(clampMapCount(0)).toBe(MAP_COUNT_RANGE.min)
    expect(clampMapCount(5000)).toBe(MAP_COUNT_RANGE.max)
    expect(clampMapCount(250.6)).toBe(251)
    expect(clampMapCount(Number.NaN)).toBe(300)
    expect(MapParams.safeParse({ run: { id: 'r', step: null }, count: clampMapCount(5000), seed: 0, projection: 'z' }).success).toBe(true)
  })
})

describe('layer stack panel', () => {
  const run = { id: 'run-1', step: 400 }

  it('asks for every layer of one forward pass of a seeded sample, by its seed', () => {
    const params = stackRequest(run, 'D', { key: 'seed:7:3', seed: 7, index: 3, z: new Float32Array(3), image })
    expect(params).toEqual({
      run,
      net: 'D',
      input: { kind: 'sample', z: { kind: 'seed', seed: 7, index: 3 } },
      layer: null,
      maxMapsPerLayer: STACK_MAPS_PER_LAYER
    })
    expect(FeaturesParams.safeParse(params).success).toBe(true)
  })

  it('sends a sample without a seed (pasted, or a result of arithmetic) by its vector', () => {
    const z = new Float32Array([0.1, -0.2, 0.3])
    const params = stackRequest(run, 'G', { key: 'z:…', seed: null, index: 0, z, image })
    expect(params.input).toEqual({ kind: 'sample', z: { kind: 'z', z } })
    expect(FeaturesParams.safeParse(params).success).toBe(true)
  })
})
