import { describe, expect, it } from 'vitest'
import { cardCorners, layoutLayerStack, spatialSize } from './layer-layout'

// The paper's 64×64 generator: project to 4×4×1024, then up to 64×64×3.
const generator = [
  { name: 'g_project', kind: 'dense', shape: [4, 4, 1024], maps: new Array(16).fill(0) },
  { name: 'g_deconv1', kind: 'conv2dTranspose', shape: [8, 8, 512], maps: new Array(16).fill(0) },
  { name: 'g_deconv2', kind: 'conv2dTranspose', shape: [16, 16, 256], maps: new Array(16).fill(0) },
  { name: 'g_deconv3', kind: 'conv2dTranspose', shape: [32, 32, 128], maps: new Array(16).fill(0) },
  { name: 'g_out', kind: 'conv2dTranspose', shape: [64, 64, 3], maps: new Array(3).fill(0) }
]

describe('layoutLayerStack', () => {
  const layout = layoutLayerStack(generator, { maxMaps: 8 })

  it('draws each layer’s strongest maps, at most the limit, strongest in front', () => {
    expect(layout.cards.filter((c) => c.layer === 0).map((c) => c.map)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(layout.cards.filter((c) => c.layer === 4)).toHaveLength(3)
    const first = layout.cards.filter((c) => c.layer === 1)
    expect(first[0]!.center[2]).toBeGreaterThan(first[1]!.center[2])
  })

  it('runs from input on the left to output on the right, centred on the origin', () => {
    const xs = [0, 1, 2, 3, 4].map((l) => layout.cards.find((c) => c.layer === l && c.map === 0)!.center[0])
    expect(xs).toEqual([...xs].sort((a, b) => a - b))
    const left = Math.min(...layout.cards.map((c) => c.center[0] - c.width / 2))
    const right = Math.max(...layout.cards.map((c) => c.center[0] + c.width / 2))
    expect(left + right).toBeCloseTo(0, 6)
  })

  it('sizes cards by spatial size, so the generator’s funnel shows', () => {
    const sizes = [0, 1, 2, 3, 4].map((l) => layout.cards.find((c) => c.layer === l)!.height)
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b))
    expect(sizes[4]).toBeCloseTo(1)
    expect(sizes[0]).toBeCloseTo(0.25)
  })

  it('labels each layer with its name, output shape and kind, above its stack', () => {
    expect(layout.layers.map((l) => l.name)).toEqual(generator.map((l) => l.name))
    expect(layout.layers[3]).toMatchObject({ name: 'g_deconv3', shape: '32×32×128', kind: 'conv2dTranspose' })
    for (const [li, label] of layout.layers.entries()) {
      const tops = layout.cards.filter((c) => c.layer === li).map((c) => c.center[1] + c.height / 2)
      expect(label.labelAnchor[1]).toBeGreaterThan(Math.max(...tops))
    }
  })

  it('holds every card within its half extents, for framing the view', () => {
    const [hx, hy, hz] = layout.half
    for (const card of layout.cards) {
      expect(Math.abs(card.center[0]) + card.width / 2).toBeLessThanOrEqual(hx + 1e-9)
      expect(Math.abs(card.center[1]) + card.height / 2).toBeLessThanOrEqual(hy + 1e-9)
      expect(Math.abs(card.center[2])).toBeLessThanOrEqual(hz + 1e-9)
    }
  })

  it('draws dense outputs (no spatial shape) and empty layers without failing', () => {
    expect(spatialSize([1])).toEqual([1, 1])
    const odd = layoutLayerStack([
      { name: 'd_out', kind: 'dense', shape: [1], maps: [0] },
      { name: 'empty', kind: 'conv2d', shape: [8, 8, 0], maps: [] }
    ])
    expect(odd.cards).toHaveLength(1)
    expect(odd.layers).toHaveLength(2)
    expect(layoutLayerStack([]).cards).toHaveLength(0)
  })
})

describe('cardCorners', () => {
  it('gives top left, top right, bottom right, bottom left of each card', () => {
    const corners = cardCorners([{ layer: 0, map: 0, center: [1, 2, 3], width: 2, height: 4 }])
    expect(Array.from(corners)).toEqual([0, 4, 3, 2, 4, 3, 2, 0, 3, 0, 0, 3])
  })
})

describe('room for labels', () => {
  it('gives every layer a place at least minSlot wide, so the 4×4 layers of G do not crowd, with a label place below each stack too', () => {
    const small = [0, 1, 2, 3].map((i) => ({ name: `g_${i}`, kind: 'relu', shape: [4, 4, 128], maps: new Array(8).fill(0) }))
    const layout = layoutLayerStack([...small, { name: 'g_out', kind: 'tanh', shape: [32, 32, 3], maps: [0, 0, 0] }], { maxMaps: 8, minSlot: 0.9 })
    const xs = layout.layers.map((l) => l.labelAnchor[0])
    for (let i = 1; i < 4; i++) expect((xs[i] as number) - (xs[i - 1] as number)).toBeGreaterThanOrEqual(0.9 + 0.6 - 1e-9)
    for (const [li, label] of layout.layers.entries()) {
      const bottoms = layout.cards.filter((c) => c.layer === li).map((c) => c.center[1] - c.height / 2)
      expect(label.labelAnchorBelow[1]).toBeLessThan(Math.min(...bottoms))
      expect(label.labelAnchorBelow[0]).toBeCloseTo(label.labelAnchor[0], 9)
    }
  })
})
