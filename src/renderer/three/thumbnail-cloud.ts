import {
  BufferAttribute,
  BufferGeometry,
  DataTexture,
  InstancedBufferAttribute,
  InstancedBufferGeometry,
  LinearFilter,
  LineBasicMaterial,
  LineSegments,
  Mesh,
  PlaneGeometry,
  ShaderMaterial,
  Vector3
} from 'three'
import type { RgbaImage } from '../../shared/api/image'
import { packAtlas } from './atlas'
import { type BillboardView, pickBillboard } from './picking'
import { thumbnailHalfSize } from './point-cloud'

/**
 * The latent map's three.js objects: every sample as a camera-facing thumbnail — one instanced quad, one
 * shader, one atlas texture for all of them — and the walks as one set of line segments.
 */
export interface ThumbnailCloud {
  readonly objects: (Mesh | LineSegments)[]
  /** `points` already normalised (count × 3); thumbs in the same order. */
  setSamples(points: Float32Array, thumbs: readonly RgbaImage[]): void
  setSelected(index: number | null): void
  /** Segment endpoints (pairs × 3 coordinates), as pathSegments makes them. */
  setPaths(segments: Float32Array): void
  pick(view: BillboardView, x: number, y: number): number | null
  dispose(): void
}

// The selected sample is drawn this much larger, framed, and in front of everything.
const SELECTED_SCALE = 1.7

const vertexShader = /* glsl */ `
attribute vec3 center;
attribute vec4 uvRect;
attribute float selected;
uniform float halfSize;
varying vec2 vUv;
varying vec2 vLocal;
varying float vSelected;
void main() {
  float scale = selected > 0.5 ? ${SELECTED_SCALE.toFixed(2)} : 1.0;
  vec4 view = modelViewMatrix * vec4(center, 1.0);
  // Grow in view space so the quad always faces the camera.
  view.xy += position.xy * 2.0 * halfSize * scale;
  gl_Position = projectionMatrix * view;
  // The selected one goes to the front of the depth range: never hidden behind its neighbours.
  if (selected > 0.5) gl_Position.z = -gl_Position.w * 0.9999;
  vLocal = position.xy + 0.5;
  vUv = vec2(mix(uvRect.x, uvRect.z, vLocal.x), mix(uvRect.w, uvRect.y, vLocal.y));
  vSelected = selected;
}
`

const fragmentShader = /* glsl */ `
uniform sampler2D atlas;
uniform vec3 frameColor;
varying vec2 vUv;
varying vec2 vLocal;
varying float vSelected;
void main() {
  vec2 edge = min(vLocal, 1.0 - vLocal);
  if (vSelected > 0.5 && min(edge.x, edge.y) < 0.07) {
    gl_FragColor = vec4(frameColor, 1.0);
  } else {
    gl_FragColor = vec4(texture2D(atlas, vUv).rgb, 1.0);
  }
}
`

/**
 * `frameColor` and `pathColor` are sRGB components in 0…1. The shader writes texels unconverted: thumbnails
 * are sRGB bytes and so is the screen, so no colour-space round trip is wanted.
 */
export function createThumbnailCloud(maxTextureSize: number, frameColor: [number, number, number], pathColor: string): ThumbnailCloud {
  const quad = new PlaneGeometry(1, 1)
  let geometry = new InstancedBufferGeometry()
  const material = new ShaderMaterial({
    vertexShader,
    fragmentShader,
    uniforms: { atlas: { value: null }, halfSize: { value: 0.05 }, frameColor: { value: new Vector3(...frameColor) } }
  })
  const mesh = new Mesh(geometry, material)
  // Its bounding sphere would be the unit quad's, not the cloud's: culling would hide it at random.
  mesh.frustumCulled = false
  mesh.visible = false
  let texture: DataTexture | null = null
  let points: Float32Array = new Float32Array(0)
  let selected: number | null = null

  const lineGeometry = new BufferGeometry()
  const lineMaterial = new LineBasicMaterial({ color: pathColor, transparent: true, opacity: 0.9, depthTest: false })
  const lines = new LineSegments(lineGeometry, lineMaterial)
  // Walks are what the user asked to see: draw them over the thumbnails rather than hidden among them.
  lines.renderOrder = 1
  lines.frustumCulled = false

  const setSelected = (index: number | null): void => {
    const flags = geometry.getAttribute('selected') as InstancedBufferAttribute | undefined
    if (!flags) return
    const array = flags.array as Float32Array
    array.fill(0)
    selected = index !== null && index >= 0 && index < flags.count ? index : null
    if (selected !== null) array[selected] = 1
    flags.needsUpdate = true
  }

  return {
    objects: [mesh, lines],
    setSamples(nextPoints, thumbs) {
      const count = Math.min(Math.floor(nextPoints.length / 3), thumbs.length)
      points = nextPoints.subarray(0, count * 3)
      const atlas = packAtlas(thumbs.slice(0, count), { maxSize: Math.min(maxTextureSize, 4096), gutter: 1 })
      const previous = geometry.getAttribute('center') as InstancedBufferAttribute | undefined
      if (previous && previous.count === count) {
        // Same number of samples (a new seed or projection): update the typed arrays in place.
        ;(previous.array as Float32Array).set(points)
        previous.needsUpdate = true
        const rects = geometry.getAttribute('uvRect') as InstancedBufferAttribute
        ;(rects.array as Float32Array).set(atlas.uvs)
        rects.needsUpdate = true
      } else {
        geometry.dispose()
        geometry = new InstancedBufferGeometry()
        // Copies of the quad, so disposing this geometry later frees only what it owns.
        geometry.index = quad.index?.clone() ?? null
        geometry.setAttribute('position', quad.getAttribute('position').clone())
        geometry.setAttribute('center', new InstancedBufferAttribute(new Float32Array(points), 3))
        geometry.setAttribute('uvRect', new InstancedBufferAttribute(atlas.uvs, 4))
        geometry.setAttribute('selected', new InstancedBufferAttribute(new Float32Array(count), 1))
        geometry.instanceCount = count
        mesh.geometry = geometry
      }
      if (texture && texture.image.width === atlas.width && texture.image.height === atlas.height) {
        ;(texture.image.data as Uint8Array).set(atlas.data)
      } else {
        texture?.dispose()
        texture = new DataTexture(atlas.data, atlas.width, atlas.height)
        // Thumbnails shrink and grow with zoom; mipmaps would bleed neighbouring cells into each other.
        texture.minFilter = LinearFilter
        texture.magFilter = LinearFilter
        texture.generateMipmaps = false
        material.uniforms.atlas!.value = texture
      }
      texture.needsUpdate = true
      material.uniforms.halfSize!.value = thumbnailHalfSize(count)
      mesh.visible = count > 0
      // The owner sets the selection again for the new samples; an old index may mean another sample now.
      setSelected(null)
    },
    setSelected,
    setPaths(segments) {
      const positions = lineGeometry.getAttribute('position') as BufferAttribute | undefined
      if (positions && positions.array.length === segments.length) {
        ;(positions.array as Float32Array).set(segments)
        positions.needsUpdate = true
      } else {
        // Attribute sizes are fixed once uploaded; a different number of segments needs a new buffer. Dispose
        // first: that frees the GPU buffers of the attributes attached now, i.e. the old one.
        lineGeometry.dispose()
        lineGeometry.deleteAttribute('position')
        lineGeometry.setAttribute('position', new BufferAttribute(new Float32Array(segments), 3))
      }
      lines.visible = segments.length > 0
    },
    pick(view, x, y) {
      const halfSize = material.uniforms.halfSize!.value as number
      return pickBillboard(points, view, x, y, (i) => (i === selected ? halfSize * SELECTED_SCALE : halfSize), selected)
    },
    dispose() {
      geometry.dispose()
      quad.dispose()
      material.dispose()
      texture?.dispose()
      lineGeometry.dispose()
      lineMaterial.dispose()
    }
  }
}
