import { type CSSProperties, useEffect, useMemo, useRef, useState } from 'react'
import type { LayerFeatures } from '../../shared/api/explore'
import { placeLabels } from './label-placement'
import { type StackLayout, cardCorners, layoutLayerStack } from './layer-layout'
import { type LayerStackMesh, createLayerStackMesh } from './layer-stack-mesh'
import { type Orbit, createOrbit, frameOrbit } from './orbit'
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
        afterDraw: () => moveLabels(viewport)
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
      view.current.viewport.setOrbit(framingOrbit(next, view.current.viewport.camera.fov, aspect))
    }
    view.current.viewport.invalidate()
  }, [layers, maxMapsPerLayer])

  /**
   * Moves each label to its stack, in place (no React render): above it, or below it where a neighbour's label
   * took the place above; a label that fits nowhere (or is behind the camera) is hidden, never piled up.
   */
  function moveLabels(viewport: Viewport): void {
    const current = layout.current
    if (!current) return
    const { viewProjection, width, height: viewHeight } = viewport.billboardView()
    const project = ([x, y, z]: readonly number[]) => projectToScreen(x ?? 0, y ?? 0, z ?? 0, viewProjection, width, viewHeight)
    const candidates = current.layers.map((layer, i) => {
      const element = labelRefs.current[i]
      return { above: project(layer.labelAnchor), below: project(layer.labelAnchorBelow), width: element?.offsetWidth ?? 0, height: element?.offsetHeight ?? 0 }
    })
    const spots = placeLabels(candidates, { width, height: viewHeight })
    spots.forEach((spot, i) => {
      const element = labelRefs.current[i]
      if (!element) return
      element.style.visibility = spot ? 'visible' : 'hidden'
      element.dataset.row = spot?.row ?? 'hidden'
      if (spot) element.style.transform = `translate(${spot.left.toFixed(1)}px, ${spot.top.toFixed(1)}px)`
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
            <span className="muted">{scalarText(layers[i]) ?? layer.shape}</span>
          </div>
        ))}
    </div>
  )
}

/** The start orbit: the stack seen from the front left, just far enough away to show every card and label. */
export function framingOrbit(layout: StackLayout, fov: number, aspect: number): Orbit {
  const turn = { theta: 0.35, phi: 1.35 }
  const points = [...cardCorners(layout.cards), ...layout.layers.flatMap((l) => [...l.labelAnchor, ...l.labelAnchorBelow])]
  // Labels stand outside their anchors (about a tenth of the view's height), so the anchors keep clear of the edges.
  const framed = frameOrbit(points, createOrbit(1, turn), fov, aspect, 0.9, 0.78)
  const distance = Math.max(0.5, framed.radius)
  return createOrbit(distance, { ...turn, target: framed.target, minRadius: distance * 0.1, maxRadius: distance * 4 })
}

/** A one-unit layer (D's logit and sigmoid) shows its value instead of its shape. */
function scalarText(layer: LayerFeatures | undefined): string | null {
  const only = layer?.maps[0]
  if (!layer || layer.shape.length === 3 || layer.maps.length !== 1 || !only) return null
  return layer.kind === 'sigmoid' ? `P(real) ${only.strength.toFixed(3)}` : only.strength.toFixed(3)
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
