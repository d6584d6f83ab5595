import { type CSSProperties, useEffect, useMemo, useRef, useState } from 'react'
import type { LayerFeatures } from '../../shared/api/explore'
import { type StackLayout, layoutLayerStack } from './layer-layout'
import { type LayerStackMesh, createLayerStackMesh } from './layer-stack-mesh'
import { createOrbit, fitDistance } from './orbit'
import { projectToScreen } from './picking'
import { type Viewport, viewportErrorMessage, createViewport } from './viewport'

export interface LayerStackProps {
  /** One forward pass, input side first; each layer's maps strongest first. */
  layers: LayerFeatures[]
  /** Maps drawn per layer (the strongest). */
  maxMapsPerLayer?: number
  /** CSS height of the view in pixels; it takes the full width of its parent. */
  height?: number
}

const BACKGROUND = '#14161a'
const OUTLINE = '#5a6270'

/**
 * The feature maps of one forward pass as planes from input (left) to output (right): each layer a fanned
 * stack of its strongest maps, sized by the layer's spatial size, named by an HTML label that follows it.
 * Drag to turn, wheel to zoom. Draws only after input or a new pass, never while hidden. The container
 * carries data-layers, data-cards, data-webgl and data-frames for tests.
 */
export function LayerStack({ layers, maxMapsPerLayer = 8, height = 420 }: LayerStackProps) {
  const containerRef = useRef<HTMLDivElement>(null)
  const labelRefs = useRef<(HTMLDivElement | null)[]>([])
  const view = useRef<{ viewport: Viewport; stack: LayerStackMesh } | null>(null)
  const layout = useRef<StackLayout | null>(null)
  const [glError, setGlError] = useState<string | null>(null)
  // Only for the labels' text; their positions are set directly after each draw.
  const placed = useMemo(() => layoutLayerStack(layers, { maxMaps: maxMapsPerLayer }), [layers, maxMapsPerLayer])

  useEffect(() => {
    const container = containerRef.current
    if (!container) return
    let viewport: Viewport
    try {
      viewport = createViewport(container, {
        orbit: createOrbit(4, { theta: 0.35, phi: 1.35 }),
        background: BACKGROUND,
        label: 'Feature maps of every layer, input on the left: drag to turn, wheel to zoom',
        afterDraw: () => placeLabels(viewport)
      })
    } catch (err) {
      setGlError(viewportErrorMessage(err))
      return
    }
    setGlError(null)
    const stack = createLayerStackMesh(viewport.renderer.capabilities.maxTextureSize, OUTLINE)
    viewport.scene.add(...stack.objects)
    view.current = { viewport, stack }
    return () => {
      view.current = null
      layout.current = null
      viewport.scene.remove(...stack.objects)
      stack.dispose()
      viewport.dispose()
    }
  }, [])

  useEffect(() => {
    if (!view.current) return
    const previous = layout.current
    const next = view.current.stack.setLayers(layers, maxMapsPerLayer)
    layout.current = next
    // A new architecture (or the first pass) gets a camera that frames it; another sample through the same
    // network keeps the view the user turned to.
    if (!previous || Math.abs(previous.half[0] - next.half[0]) > 0.05 * next.half[0]) {
      const container = containerRef.current
      const aspect = container && container.clientHeight > 0 ? container.clientWidth / container.clientHeight : 2
      const distance = Math.max(1, fitDistance(next.half, view.current.viewport.camera.fov, aspect))
      view.current.viewport.setOrbit(createOrbit(distance, { theta: 0.35, phi: 1.35, minRadius: distance * 0.1, maxRadius: distance * 4 }))
    }
    view.current.viewport.invalidate()
  }, [layers, maxMapsPerLayer])

  /** Moves each label over its stack, in place (no React render), and hides those behind the camera. */
  function placeLabels(viewport: Viewport): void {
    const current = layout.current
    if (!current) return
    const { viewProjection, width, height: viewHeight } = viewport.billboardView()
    current.layers.forEach((layer, i) => {
      const element = labelRefs.current[i]
      if (!element) return
      const [x, y, z] = layer.labelAnchor
      const p = projectToScreen(x, y, z, viewProjection, width, viewHeight)
      if (!p || p.x < 0 || p.x > width || p.y < 0 || p.y > viewHeight) {
        element.style.visibility = 'hidden'
        return
      }
      element.style.visibility = 'visible'
      element.style.transform = `translate(${p.x.toFixed(1)}px, ${p.y.toFixed(1)}px) translate(-50%, -100%)`
    })
  }

  return (
    <div
      ref={containerRef}
      data-testid="layer-stack"
      data-layers={layers.length}
      data-cards={placed.cards.length}
      data-webgl={glError ? 'unavailable' : 'ready'}
      style={{ position: 'relative', width: '100%', height, borderRadius: 6, overflow: 'hidden', background: BACKGROUND }}
    >
      {glError && (
        <p role="alert" className="error" style={{ padding: 16, margin: 0 }}>
          {glError}
        </p>
      )}
      {!glError &&
        placed.layers.map((layer, i) => (
          <div
            key={`${i}:${layer.name}`}
            ref={(element) => {
              labelRefs.current[i] = element
            }}
            style={labelStyle}
          >
            <strong>{layer.name}</strong>
            <br />
            <span className="muted">{layer.shape}</span>
          </div>
        ))}
    </div>
  )
}

// Hidden until the first draw places it: a label at the top left for a frame would flicker.
const labelStyle: CSSProperties = {
  position: 'absolute',
  left: 0,
  top: 0,
  visibility: 'hidden',
  pointerEvents: 'none',
  fontSize: 11,
  lineHeight: 1.3,
  textAlign: 'center',
  whiteSpace: 'nowrap',
  padding: '1px 5px',
  borderRadius: 3,
  background: 'rgba(20, 22, 26, 0.7)'
}
