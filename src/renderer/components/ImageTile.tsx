import { useEffect, useRef } from 'react'
import type { RgbaImage } from '../../shared/api/image'

interface ImageTileProps {
  image: RgbaImage
  /** On-screen size in CSS pixels (square); nearest-neighbour scaling keeps small samples crisp. */
  size?: number
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
  const canvas = (
    <canvas ref={ref} width={image.width} height={image.height} style={{ width: size, height: size * (image.height / image.width) }} className="tile-canvas" />
  )
  if (!onClick) {
    return (
      <span className="tile" role="img" aria-label={label} data-testid={testId}>
        {canvas}
      </span>
    )
  }
  return (
    <button type="button" className={`tile${selected ? ' selected' : ''}`} aria-label={label} aria-pressed={selected} onClick={onClick} data-testid={testId}>
      {canvas}
    </button>
  )
}
