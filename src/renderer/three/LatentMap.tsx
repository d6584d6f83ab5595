import { type CSSProperties, type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react'
import type { RgbaImage } from '../../shared/api/image'
import { createOrbit } from './orbit'
import { normalizePoints, pathSegments } from './point-cloud'
import { type ThumbnailCloud, createThumbnailCloud } from './thumbnail-cloud'
import { type Viewport, viewportErrorMessage, createViewport } from './viewport'

export interface LatentMapProps {
  /** count × 3 coordinates (about [−1, 1]; any scale works, the map centres and scales them itself). */
  points: Float32Array
  /** One thumbnail per point, in the same order. */
  thumbs: RgbaImage[]
  selected: number | null
  onSelect: (index: number) => void
  /** Walks, each a polyline through point indices; indices not on the map are skipped. */
  paths?: number[][]
  /** CSS height of the view in pixels; it takes the full width of its parent. */
  height?: number
}

// sRGB components of the studio's accent (--accent in styles.css), for the selected sample's frame.
const ACCENT: [number, number, number] = [0x6a / 255, 0xa8 / 255, 0xff / 255]
const BACKGROUND = '#14161a'
const PATH_COLOR = '#ffd36a'

/**
 * Several hundred samples in 3D, each drawn as its thumbnail: drag to turn, wheel to zoom, click a
 * thumbnail to select it. Draws only after input or a prop change, and not at all while hidden.
 *
 * For tests and assistive technology every sample is also a (visually hidden) button named "sample N"
 * inside the container; pressing it selects that sample exactly as a click on its thumbnail does. The
 * container carries data-selected-index (absent when nothing is selected), data-count, data-webgl
 * ('ready' or 'unavailable') and data-frames (pictures drawn so far; it stays put while the view is idle).
 */
export function LatentMap({ points, thumbs, selected, onSelect, paths, height = 480 }: LatentMapProps) {
  const containerRef = useRef<HTMLDivElement>(null)
  const view = useRef<{ viewport: Viewport; cloud: ThumbnailCloud } | null>(null)
  const onSelectRef = useRef(onSelect)
  const [glError, setGlError] = useState<string | null>(null)
  const [focused, setFocused] = useState<number | null>(null)
  const count = Math.min(Math.floor(points.length / 3), thumbs.length)
  const normalized = useMemo(() => normalizePoints(points), [points])

  useEffect(() => {
    onSelectRef.current = onSelect
  }, [onSelect])

  // The renderer lives as long as the component; props below update its objects in place.
  useEffect(() => {
    const container = containerRef.current
    if (!container) return
    let viewport: Viewport
    try {
      viewport = createViewport(container, {
        orbit: createOrbit(3, { theta: 0.5, phi: 1.25, minRadius: 0.3, maxRadius: 12 }),
        background: BACKGROUND,
        label: 'Latent map: drag to turn, wheel to zoom, click a sample to select it',
        onClick: (x, y) => {
          const hit = view.current?.cloud.pick(viewport.billboardView(), x, y)
          if (hit !== null && hit !== undefined) onSelectRef.current(hit)
        }
      })
    } catch (err) {
      setGlError(viewportErrorMessage(err))
      return
    }
    setGlError(null)
    const cloud = createThumbnailCloud(viewport.renderer.capabilities.maxTextureSize, ACCENT, PATH_COLOR)
    viewport.scene.add(...cloud.objects)
    view.current = { viewport, cloud }
    return () => {
      view.current = null
      viewport.scene.remove(...cloud.objects)
      cloud.dispose()
      viewport.dispose()
    }
  }, [])

  useEffect(() => {
    if (!view.current) return
    view.current.cloud.setSamples(normalized, thumbs)
    view.current.viewport.invalidate()
  }, [normalized, thumbs])

  // Declared after setSamples so it runs after it: new samples clear the selection in the cloud.
  useEffect(() => {
    if (!view.current) return
    view.current.cloud.setSelected(selected)
    view.current.viewport.invalidate()
  }, [selected, normalized, thumbs])

  useEffect(() => {
    if (!view.current) return
    view.current.cloud.setPaths(pathSegments(normalized, paths ?? []))
    view.current.viewport.invalidate()
  }, [normalized, paths])

  // One tab stop for the whole list (the selected or last focused sample); arrows move between samples.
  const tabStop = focused ?? (selected !== null && selected < count ? selected : 0)
  const onListKey = (event: KeyboardEvent<HTMLUListElement>): void => {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 10, PageUp: -10 }
    let next: number | null = null
    if (event.key in moves) next = Math.min(count - 1, Math.max(0, tabStop + (moves[event.key] ?? 0)))
    if (event.key === 'Home') next = 0
    if (event.key === 'End') next = count - 1
    if (next === null) return
    event.preventDefault()
    setFocused(next)
    const button = event.currentTarget.querySelectorAll('button')[next]
    button?.focus()
  }

  const buttons = useMemo(
    () =>
      Array.from({ length: count }, (_, i) => (
        <li key={i}>
          <button
            type="button"
            aria-label={`sample ${i}`}
            aria-pressed={selected === i}
            tabIndex={i === tabStop ? 0 : -1}
            onClick={() => onSelect(i)}
            onFocus={() => setFocused(i)}
          >
            {i}
          </button>
        </li>
      )),
    [count, selected, tabStop, onSelect]
  )

  return (
    <div
      ref={containerRef}
      data-testid="latent-map"
      data-selected-index={selected ?? undefined}
      data-count={count}
      data-webgl={glError ? 'unavailable' : 'ready'}
      style={{ position: 'relative', width: '100%', height, borderRadius: 6, overflow: 'hidden', background: BACKGROUND }}
    >
      {glError && (
        <p role="alert" className="error" style={{ padding: 16, margin: 0 }}>
          {glError}
        </p>
      )}
      <ul
        aria-label="Samples on the map"
        style={visuallyHidden}
        onKeyDown={onListKey}
        onBlur={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget)) setFocused(null)
        }}
      >
        {buttons}
      </ul>
      {focused !== null && (
        // Keyboard users cannot see the hidden list: say which sample has the focus and what keys do.
        <p aria-hidden="true" style={caption}>
          Sample {focused} — Enter selects, arrow keys move
        </p>
      )}
    </div>
  )
}

const visuallyHidden: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  margin: -1,
  padding: 0,
  border: 0,
  overflow: 'hidden',
  clipPath: 'inset(50%)',
  whiteSpace: 'nowrap',
  listStyle: 'none'
}

const caption: CSSProperties = {
  position: 'absolute',
  left: 8,
  bottom: 8,
  margin: 0,
  padding: '2px 8px',
  borderRadius: 4,
  background: 'rgba(0,0,0,0.6)',
  fontSize: 12
}
