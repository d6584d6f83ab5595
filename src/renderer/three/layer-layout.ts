/**
 * Where the layer stack puts things, as pure numbers: layers left to right from input to output along x,
 * each layer a fanned stack of its strongest maps (the strongest in front), every card sized by the layer's
 * spatial size so the funnel of a DCGAN (4×4 up to 64×64 in G, the reverse in D) is visible at a glance.
 */

export interface StackLayerInput {
  name: string
  kind: string
  /** [height, width, channels]; anything else is drawn as a 1×1 layer. */
  shape: readonly number[]
  maps: readonly unknown[]
}

export interface CardPlacement {
  layer: number
  map: number
  center: [number, number, number]
  width: number
  height: number
}

export interface LayerPlacement {
  name: string
  kind: string
  /** The layer's output shape as people write it: "32×32×128". */
  shape: string
  /** Just above the stack, for its label. */
  labelAnchor: [number, number, number]
  /** Just below the stack: where its label goes when a neighbour's label takes the place above. */
  labelAnchorBelow: [number, number, number]
}

export interface StackLayout {
  cards: CardPlacement[]
  layers: LayerPlacement[]
  /** Half the extent along x, y and z of a box around the origin holding every card: for framing the view. */
  half: [number, number, number]
}

export interface StackOptions {
  /** Maps drawn per layer (the strongest first). */
  maxMaps?: number
  /** Side of the largest layer's cards, in world units. */
  largest?: number
  /**
   * Least width of a layer's place along x, in units of `largest`: small layers (G's first 4×4 ones) get
   * room for their labels instead of crowding together.
   */
  minSlot?: number
}

/** A layer's [height, width]; shapes that are not [h, w, c] (dense outputs) count as 1×1. */
export function spatialSize(shape: readonly number[]): [number, number] {
  return shape.length >= 3 ? [Math.max(1, shape[0] ?? 1), Math.max(1, shape[1] ?? 1)] : [1, 1]
}

export function layoutLayerStack(layers: readonly StackLayerInput[], options: StackOptions = {}): StackLayout {
  const maxMaps = options.maxMaps ?? 8
  const largest = options.largest ?? 1
  const tallest = Math.max(1, ...layers.map((l) => spatialSize(l.shape)[0]))
  const gap = 0.6 * largest
  const minSlot = (options.minSlot ?? 0.9) * largest
  const cards: CardPlacement[] = []
  const placed: LayerPlacement[] = []
  let cursor = 0
  let top = 0
  let bottom = 0
  let depth = 0

  layers.forEach((layer, li) => {
    const [h, w] = spatialSize(layer.shape)
    // Side by the square root of the spatial size: linear would make a 4×4 layer a speck beside 64×64.
    const side = Math.max(0.15, Math.sqrt(h / tallest)) * largest
    const cardW = side * Math.min(4, w / h)
    const maps = Math.min(maxMaps, layer.maps.length)
    // Each card behind the one before it, nudged up and right so its edge shows from the front.
    const step: [number, number, number] = [0.12 * side, 0.12 * side, -0.3 * side]
    const span = Math.max(0, maps - 1)
    const stackW = cardW + span * step[0]
    const slot = Math.max(stackW, minSlot)
    const x0 = cursor + (slot - stackW) / 2 + cardW / 2
    const y0 = -(span * step[1]) / 2
    const z0 = -(span * step[2]) / 2
    for (let m = 0; m < maps; m++) {
      cards.push({ layer: li, map: m, center: [x0 + m * step[0], y0 + m * step[1], z0 + m * step[2]], width: cardW, height: side })
    }
    const stackTop = y0 + span * step[1] + side / 2
    const stackBottom = y0 - side / 2
    const middle = cursor + slot / 2
    placed.push({
      name: layer.name,
      kind: layer.kind,
      shape: layer.shape.join('×'),
      labelAnchor: [middle, stackTop + 0.08 * largest, 0],
      labelAnchorBelow: [middle, stackBottom - 0.08 * largest, 0]
    })
    top = Math.max(top, stackTop)
    bottom = Math.min(bottom, stackBottom)
    depth = Math.max(depth, Math.abs(z0) + side * 0.1)
    cursor += slot + gap
  })

  // Centre the cards on the origin so the orbit turns around their middle.
  const left = Math.min(0, ...cards.map((c) => c.center[0] - c.width / 2))
  const right = Math.max(cursor - gap, ...cards.map((c) => c.center[0] + c.width / 2))
  const shift =
    cards.length > 0
      ? (Math.min(...cards.map((c) => c.center[0] - c.width / 2)) + Math.max(...cards.map((c) => c.center[0] + c.width / 2))) / 2
      : (cursor - gap) / 2
  for (const card of cards) card.center[0] -= shift
  for (const layer of placed) {
    layer.labelAnchor[0] -= shift
    layer.labelAnchorBelow[0] -= shift
  }
  return { cards, layers: placed, half: [Math.max(0, shift - left, right - shift), Math.max(top, -bottom), depth] }
}

/**
 * The four corners of each card (top left, top right, bottom right, bottom left), flattened × 3: the
 * positions of one quad per card. Cards lie in planes facing +z.
 */
export function cardCorners(cards: readonly CardPlacement[]): Float32Array {
  const out = new Float32Array(cards.length * 12)
  cards.forEach((card, i) => {
    const [x, y, z] = card.center
    const hw = card.width / 2
    const hh = card.height / 2
    out.set([x - hw, y + hh, z, x + hw, y + hh, z, x + hw, y - hh, z, x - hw, y - hh, z], i * 12)
  })
  return out
}
