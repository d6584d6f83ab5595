import {
  BufferAttribute,
  BufferGeometry,
  DataTexture,
  DoubleSide,
  LinearFilter,
  LineBasicMaterial,
  LineSegments,
  Mesh,
  MeshBasicMaterial,
  NearestFilter,
  SRGBColorSpace
} from 'three'
import type { LayerFeatures } from '../../shared/api/explore'
import { packAtlas } from './atlas'
import { type StackLayout, cardCorners, layoutLayerStack } from './layer-layout'

/**
 * The layer stack's three.js objects: every feature map a textured card (one geometry, one material, one
 * atlas texture for all of them) with a thin outline (one line geometry) so stacked cards stay apart.
 */
export interface LayerStackMesh {
  readonly objects: (Mesh | LineSegments)[]
  /** Replaces what is drawn with one forward pass; returns where everything went (for labels and camera). */
  setLayers(layers: readonly LayerFeatures[], maxMapsPerLayer: number): StackLayout
  dispose(): void
}

export function createLayerStackMesh(maxTextureSize: number, outlineColor: string): LayerStackMesh {
  let cardGeometry = new BufferGeometry()
  let outlineGeometry = new BufferGeometry()
  let texture: DataTexture | null = null
  const cardMaterial = new MeshBasicMaterial({ side: DoubleSide })
  const outlineMaterial = new LineBasicMaterial({ color: outlineColor })
  const cards = new Mesh(cardGeometry, cardMaterial)
  const outlines = new LineSegments(outlineGeometry, outlineMaterial)

  return {
    objects: [cards, outlines],
    setLayers(layers, maxMapsPerLayer) {
      const layout = layoutLayerStack(layers, { maxMaps: maxMapsPerLayer })
      const images = layout.cards.map((card) => layers[card.layer]!.maps[card.map]!.image)
      const atlas = packAtlas(images, { maxSize: Math.min(maxTextureSize, 4096), gutter: 1 })
      const corners = cardCorners(layout.cards)
      const n = layout.cards.length

      const uv = new Float32Array(n * 8)
      const index = new Uint32Array(n * 6)
      const edges = new Float32Array(n * 24)
      for (let i = 0; i < n; i++) {
        const [u0, vTop, u1, vBottom] = atlas.uvs.subarray(i * 4, i * 4 + 4)
        // Corners run top left, top right, bottom right, bottom left (see cardCorners).
        uv.set([u0!, vTop!, u1!, vTop!, u1!, vBottom!, u0!, vBottom!], i * 8)
        const v = i * 4
        index.set([v, v + 3, v + 2, v, v + 2, v + 1], i * 6)
        for (let e = 0; e < 4; e++) {
          const a = corners.subarray((v + e) * 3, (v + e) * 3 + 3)
          const b = corners.subarray((v + ((e + 1) % 4)) * 3, (v + ((e + 1) % 4)) * 3 + 3)
          edges.set(a, i * 24 + e * 6)
          edges.set(b, i * 24 + e * 6 + 3)
        }
      }

      // A forward pass changes what and how many cards there are: new buffers, the old ones freed.
      cardGeometry.dispose()
      outlineGeometry.dispose()
      cardGeometry = new BufferGeometry()
      cardGeometry.setAttribute('position', new BufferAttribute(corners, 3))
      cardGeometry.setAttribute('uv', new BufferAttribute(uv, 2))
      cardGeometry.setIndex(new BufferAttribute(index, 1))
      cardGeometry.computeBoundingSphere()
      outlineGeometry = new BufferGeometry()
      outlineGeometry.setAttribute('position', new BufferAttribute(edges, 3))
      outlineGeometry.computeBoundingSphere()
      cards.geometry = cardGeometry
      outlines.geometry = outlineGeometry

      texture?.dispose()
      texture = new DataTexture(atlas.data, atlas.width, atlas.height)
      texture.colorSpace = SRGBColorSpace
      // Feature maps are tiny (4×4 in the first layers of G): show their pixels, do not blur them.
      texture.magFilter = NearestFilter
      texture.minFilter = LinearFilter
      texture.generateMipmaps = false
      texture.needsUpdate = true
      cardMaterial.map = texture
      // Going from no map to a map changes the shader three compiles for this material.
      cardMaterial.needsUpdate = true
      cards.visible = n > 0
      outlines.visible = n > 0
      return layout
    },
    dispose() {
      cardGeometry.dispose()
      outlineGeometry.dispose()
      cardMaterial.dispose()
      outlineMaterial.dispose()
      texture?.dispose()
    }
  }
}
