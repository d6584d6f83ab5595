import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import { createPortal } from 'react-dom'
import type { RgbaImage } from '../../shared/api/image'
import { ImageTile } from './ImageTile'
import './image-preview.css'

interface ImagePreviewProps {
  image: RgbaImage
  /** The element it previews (a tile under the pointer or with keyboard focus): the preview sits beside it. */
  anchor: HTMLElement
  /** An area to keep clear (the grid the tile is in), so the preview never covers the tile's neighbours. */
  avoid?: HTMLElement | null
  /** Caption lines under the image. */
  lines: string[]
  testId?: string
}

/** On-screen size: a whole multiple of the image's pixels (crisp), at least 192 px, at most 256 px. */
export function previewSize(width: number): number {
  const times = Math.max(1, Math.min(Math.floor(256 / width), Math.ceil(192 / width)))
  return width * times
}

const MARGIN = 8

/**
 * A large, crisp view of a small image with a caption, beside the element it belongs to: right of the area
 * to keep clear if there is room, else left of it, else beside the element itself, always inside the window.
 * It takes no pointer events, so it never stands between the pointer and what is under it.
 */
export function ImagePreview({ image, anchor, avoid, lines, testId }: ImagePreviewProps) {
  const ref = useRef<HTMLDivElement>(null)
  const [place, setPlace] = useState<{ left: number; top: number } | null>(null)
  const size = previewSize(image.width)
  // The caption's text, which sets the preview's height: a new one places it again.
  const caption = lines.join('\n')

  useLayoutEffect(() => {
    const position = (): void => {
      const own = ref.current?.getBoundingClientRect()
      if (!own) return
      const tile = anchor.getBoundingClientRect()
      const area = avoid?.getBoundingClientRect() ?? tile
      const fits = (left: number): boolean => left >= MARGIN && left + own.width <= window.innerWidth - MARGIN
      const candidates = [area.right + MARGIN, area.left - MARGIN - own.width, tile.right + MARGIN, tile.left - MARGIN - own.width]
      const left = candidates.find(fits) ?? Math.max(MARGIN, window.innerWidth - MARGIN - own.width)
      const top = Math.min(Math.max(MARGIN, tile.top + tile.height / 2 - own.height / 2), Math.max(MARGIN, window.innerHeight - MARGIN - own.height))
      setPlace({ left, top })
    }
    position()
    window.addEventListener('scroll', position, true)
    window.addEventListener('resize', position)
    return () => {
      window.removeEventListener('scroll', position, true)
      window.removeEventListener('resize', position)
    }
  }, [anchor, avoid, image, caption])

  // A tile that leaves the page (the grid was redrawn) takes its preview with it.
  const [gone, setGone] = useState(false)
  useEffect(() => setGone(!anchor.isConnected), [anchor, image])
  if (gone) return null

  return createPortal(
    <div
      ref={ref}
      className="image-preview"
      role="tooltip"
      data-testid={testId}
      style={{ width: size, left: place?.left ?? 0, top: place?.top ?? 0, visibility: place ? 'visible' : 'hidden' }}
    >
      <ImageTile image={image} size={size} label={lines[0] ?? 'preview'} />
      {lines.map((line) => (
        <div key={line}>{line}</div>
      ))}
    </div>,
    document.body
  )
}
