import { useEffect, useRef } from 'react'
import type { RgbaImage } from '../../shared/api/image'

interface ImageTileProps {
  image: RgbaImage
  /**
   * On-screen size in CSS pixels (square), or 'fill' to take the width of its parent (a grid cell);
   * nearest-neighbour scaling keeps small samples crisp.
   */
  size?: number | 'fill'
  selected?: boolean
  label: string
  onClick?: () => void
  testId?: string
}

/** One image drawn from raw RGBA pixels; clickable when `onClick` is given. */
export function ImageTile({ image, size = 64, selected = false, label, onClick, testId }: ImageTileProps) {
  const ref = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    const ctx = ref.current?.getContext('2d')
    if (!ctx) return
    ctx.putImageData(new ImageData(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height), 0, 0)
  }, [image])
  const fill = size === 'fill'
  const canvas = (
    <canvas
      ref={ref}
      width={image.width}
      height={image.height}
      style={fill ? { width: '100%', height: 'auto' } : { width: size, height: size * (image.height / image.width) }}
      className="tile-canvas"
    />
  )
  const className = `tile${fill ? ' fill' : ''}${selected ? ' selected' : ''}`
  if (!onClick) {
    return (
      <span className={className} role="img" aria-label={label} data-testid={testId}>
        {canvas}
      </span>
    )
  }
  return (
    <button type="button" className={className} aria-label={label} aria-pressed={selected} onClick={onClick} data-testid={testId}>
      {canvas}
    </button>
  )
}
