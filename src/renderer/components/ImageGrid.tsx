import { useEffect, useRef } from 'react'
import type { RgbaImage } from '../../shared/api/image'

interface ImageGridProps {
  images: RgbaImage[]
  columns: number
  /** On-screen pixels per image pixel; nearest-neighbour so small samples stay crisp. */
  scale?: number
  gap?: number
  label: string
}

/**
 * Draws raw RGBA images (as the engine returns them) into one canvas. One canvas instead of N <img>s: no
 * encoding to PNG and back, and redrawing a 64-image grid is a single pass.
 */
export function ImageGrid({ images, columns, scale = 2, gap = 2, label }: ImageGridProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const first = images[0]
  const cellW = first ? first.width : 0
  const cellH = first ? first.height : 0
  const rows = Math.ceil(images.length / columns)
  const width = columns * cellW + (columns - 1) * gap
  const height = rows * cellH + Math.max(0, rows - 1) * gap

  useEffect(() => {
    const canvas = canvasRef.current
    const ctx = canvas?.getContext('2d')
    if (!canvas || !ctx) return
    ctx.clearRect(0, 0, canvas.width, canvas.height)
    images.forEach((image, i) => {
      const x = (i % columns) * (cellW + gap)
      const y = Math.floor(i / columns) * (cellH + gap)
      const pixels = new ImageData(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)
      ctx.putImageData(pixels, x, y)
    })
  }, [images, columns, cellW, cellH, gap])

  if (!first) return null
  return (
    <canvas
      ref={canvasRef}
      className="image-grid"
      width={width}
      height={height}
      // Fitted to its container when the scaled grid is wider (canvas keeps its aspect ratio with height auto).
      style={{ width: width * scale, maxWidth: '100%', height: 'auto' }}
      role="img"
      aria-label={label}
      data-testid="sample-grid"
      data-count={images.length}
    />
  )
}
