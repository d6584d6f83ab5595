import { Color, Matrix4, PerspectiveCamera, Scene, WebGLRenderer } from 'three'
import { createFrameGate } from './frame-gate'
import { type Orbit, isClick, orbitPosition, rotateOrbit, zoomOrbit } from './orbit'
import type { BillboardView } from './picking'

/**
 * The shared shell of our 3D views: a canvas in a container, a three.js renderer, a camera on an orbit
 * (drag turns, wheel zooms, arrow keys and +/− do the same from the keyboard, a click without a drag is
 * reported) and drawing on demand through a FrameGate fed by ResizeObserver, IntersectionObserver and the
 * page's visibility. Components add their objects to `scene` and call `invalidate()` after changing them.
 */
export interface Viewport {
  readonly scene: Scene
  readonly camera: PerspectiveCamera
  readonly renderer: WebGLRenderer
  readonly canvas: HTMLCanvasElement
  /** The picture changed: draw once, when the view can be seen. */
  invalidate(): void
  setOrbit(orbit: Orbit): void
  /** The current camera as picking maths needs it. */
  billboardView(): BillboardView
  /** The view's size in CSS pixels. */
  size(): { width: number; height: number }
  /** Releases the renderer, its GPU context and every listener; the component disposes its own objects first. */
  dispose(): void
}

export interface ViewportOptions {
  orbit: Orbit
  /** Clear colour (CSS colour). */
  background: string
  label: string
  /** A press and release without dragging, at CSS pixels from the view's top left. */
  onClick?: (x: number, y: number) => void
  /** After each draw, e.g. to move HTML labels to their projected places. */
  afterDraw?: () => void
}

/** Thrown when the browser cannot give us WebGL 2 (three.js needs it); the message is for the user. */
export class WebGLUnavailableError extends Error {}

/** What a 3D view shows instead of itself when its viewport cannot start. */
export function viewportErrorMessage(err: unknown): string {
  return err instanceof WebGLUnavailableError ? err.message : `The 3D view could not start: ${err instanceof Error ? err.message : String(err)}`
}

export function createViewport(container: HTMLElement, options: ViewportOptions): Viewport {
  const canvas = document.createElement('canvas')
  canvas.style.display = 'block'
  canvas.style.width = '100%'
  canvas.style.height = '100%'
  // The browser must not scroll or zoom the page while a finger or pen turns the view.
  canvas.style.touchAction = 'none'
  canvas.style.cursor = 'grab'
  canvas.style.outline = 'none'
  canvas.tabIndex = 0
  canvas.setAttribute('role', 'img')
  canvas.setAttribute('aria-label', options.label)

  // Ask for the context ourselves so a missing WebGL becomes a message, not three's console error and throw.
  const gl = canvas.getContext('webgl2', {
    alpha: false,
    antialias: true,
    depth: true,
    stencil: false,
    premultipliedAlpha: true,
    preserveDrawingBuffer: true,
    powerPreference: 'low-power'
  })
  if (!gl) {
    throw new WebGLUnavailableError(
      'This view needs WebGL 2, which this browser or machine does not provide (it may be turned off, or the graphics driver blocked). The rest of the studio works without it.'
    )
  }
  // preserveDrawingBuffer: we draw rarely, and the last picture must survive for screenshots and tests.
  const renderer = new WebGLRenderer({ canvas, context: gl, antialias: true, preserveDrawingBuffer: true })
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2))
  renderer.setClearColor(new Color(options.background), 1)
  container.appendChild(canvas)

  const scene = new Scene()
  const camera = new PerspectiveCamera(45, 1, 0.01, 100)
  let orbit = options.orbit
  let width = 0
  let height = 0
  let frames = 0

  const applyOrbit = (): void => {
    camera.position.set(...orbitPosition(orbit))
    camera.lookAt(...orbit.target)
    camera.updateMatrixWorld()
  }
  applyOrbit()

  const gate = createFrameGate(
    () => {
      renderer.render(scene, camera)
      frames++
      // For tests and curious developers: how many pictures this view has drawn (it should stay put while idle).
      container.dataset.frames = String(frames)
      options.afterDraw?.()
    },
    { request: (cb) => requestAnimationFrame(cb), cancel: (handle) => cancelAnimationFrame(handle) },
    { inView: false, pageVisible: document.visibilityState === 'visible', width: 0, height: 0 }
  )

  const resizeObserver = new ResizeObserver((entries) => {
    const box = entries[entries.length - 1]?.contentRect
    if (!box) return
    width = Math.floor(box.width)
    height = Math.floor(box.height)
    if (width > 0 && height > 0) {
      renderer.setSize(width, height, false)
      camera.aspect = width / height
      camera.updateProjectionMatrix()
    }
    gate.update({ width, height })
  })
  resizeObserver.observe(container)
  const intersectionObserver = new IntersectionObserver((entries) => {
    const entry = entries[entries.length - 1]
    if (entry) gate.update({ inView: entry.isIntersecting })
  })
  intersectionObserver.observe(container)
  const onVisibility = (): void => gate.update({ pageVisible: document.visibilityState === 'visible' })
  document.addEventListener('visibilitychange', onVisibility)

  const turn = (next: Orbit): void => {
    orbit = next
    applyOrbit()
    gate.invalidate()
  }

  let press: { id: number; x: number; y: number; lastX: number; lastY: number; dragging: boolean } | null = null
  const onPointerDown = (event: PointerEvent): void => {
    if (event.button !== 0 || press) return
    canvas.setPointerCapture(event.pointerId)
    press = { id: event.pointerId, x: event.clientX, y: event.clientY, lastX: event.clientX, lastY: event.clientY, dragging: false }
  }
  const onPointerMove = (event: PointerEvent): void => {
    if (!press || event.pointerId !== press.id) return
    if (!press.dragging && !isClick(press.x, press.y, event.clientX, event.clientY)) {
      press.dragging = true
      canvas.style.cursor = 'grabbing'
    }
    if (press.dragging) turn(rotateOrbit(orbit, event.clientX - press.lastX, event.clientY - press.lastY, height))
    press.lastX = event.clientX
    press.lastY = event.clientY
  }
  const onPointerUp = (event: PointerEvent): void => {
    if (!press || event.pointerId !== press.id) return
    const wasClick = !press.dragging && isClick(press.x, press.y, event.clientX, event.clientY)
    press = null
    canvas.style.cursor = 'grab'
    if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId)
    if (wasClick && options.onClick) {
      const rect = canvas.getBoundingClientRect()
      options.onClick(event.clientX - rect.left, event.clientY - rect.top)
    }
  }
  const onPointerCancel = (): void => {
    press = null
    canvas.style.cursor = 'grab'
  }
  const onWheel = (event: WheelEvent): void => {
    event.preventDefault()
    // Lines and pages (some mice, some platforms) into pixels, so every wheel zooms at a similar pace.
    const pixels = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaMode === 2 ? event.deltaY * height : event.deltaY
    turn(zoomOrbit(orbit, pixels))
  }
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey) return
    const step = 24
    const moves: Record<string, () => Orbit> = {
      ArrowLeft: () => rotateOrbit(orbit, -step, 0, height),
      ArrowRight: () => rotateOrbit(orbit, step, 0, height),
      ArrowUp: () => rotateOrbit(orbit, 0, -step, height),
      ArrowDown: () => rotateOrbit(orbit, 0, step, height),
      '+': () => zoomOrbit(orbit, -120),
      '=': () => zoomOrbit(orbit, -120),
      '-': () => zoomOrbit(orbit, 120)
    }
    const move = moves[event.key]
    if (!move) return
    event.preventDefault()
    turn(move())
  }
  // The browser may take the GPU context away (driver reset, too many contexts); preventDefault asks for it
  // back, three.js restores its state, and we draw again.
  const onContextLost = (event: Event): void => event.preventDefault()
  const onContextRestored = (): void => gate.invalidate()

  canvas.addEventListener('pointerdown', onPointerDown)
  canvas.addEventListener('pointermove', onPointerMove)
  canvas.addEventListener('pointerup', onPointerUp)
  canvas.addEventListener('pointercancel', onPointerCancel)
  canvas.addEventListener('wheel', onWheel, { passive: false })
  canvas.addEventListener('keydown', onKeyDown)
  canvas.addEventListener('webglcontextlost', onContextLost)
  canvas.addEventListener('webglcontextrestored', onContextRestored)

  const viewProjection = new Matrix4()
  return {
    scene,
    camera,
    renderer,
    canvas,
    invalidate: () => gate.invalidate(),
    setOrbit: turn,
    billboardView() {
      viewProjection.multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse)
      return { viewProjection: viewProjection.elements, width, height, focal: camera.projectionMatrix.elements[5] }
    },
    size: () => ({ width, height }),
    dispose() {
      gate.dispose()
      resizeObserver.disconnect()
      intersectionObserver.disconnect()
      document.removeEventListener('visibilitychange', onVisibility)
      canvas.removeEventListener('pointerdown', onPointerDown)
      canvas.removeEventListener('pointermove', onPointerMove)
      canvas.removeEventListener('pointerup', onPointerUp)
      canvas.removeEventListener('pointercancel', onPointerCancel)
      canvas.removeEventListener('wheel', onWheel)
      canvas.removeEventListener('keydown', onKeyDown)
      canvas.removeEventListener('webglcontextlost', onContextLost)
      canvas.removeEventListener('webglcontextrestored', onContextRestored)
      renderer.dispose()
      // dispose() keeps the context; browsers allow only a handful at once, so give it back now.
      renderer.forceContextLoss()
      canvas.remove()
    }
  }
}
