import { type PointerEvent as ReactPointerEvent, useRef, useState } from 'react'
import type { Box } from '../../../shared/api/forget'
import { ImageTile } from '../../components/ImageTile'
import type { Sample } from '../explore/selection'
import { type Point, boxAt, boxFromDrag } from './boxes'

/** On-screen size of the enlarged sample: at least 4× (a 32-px sample is drawn on at 8×, 256 px). */
export function editorSize(pixels: number): number {
  return Math.max(256, pixels * 4)
}

interface BoxEditorProps {
  sample: Sample
  boxes: readonly Box[]
  selected: number | null
  onAdd: (box: Box) => void
  onRemove: (index: number) => void
  onSelect: (index: number | null) => void
}

const percent = (v: number): string => `${v * 100}%`

/**
 * One sample, enlarged, to draw boxes on: drag to draw, click a box to select it (Delete removes it), × on a
 * box removes it. Boxes snap to the image's own pixels.
 */
export function BoxEditor({ sample, boxes, selected, onAdd, onRemove, onSelect }: BoxEditorProps) {
  const surface = useRef<HTMLDivElement>(null)
  const [drag, setDrag] = useState<{ start: Point; end: Point } | null>(null)
  const size = editorSize(sample.image.width)

  const pointAt = (event: ReactPointerEvent): Point => {
    const rect = (surface.current as HTMLDivElement).getBoundingClientRect()
    return { x: Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width)), y: Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height)) }
  }

  const draft = drag && {
    x0: Math.min(drag.start.x, drag.end.x),
    y0: Math.min(drag.start.y, drag.end.y),
    x1: Math.max(drag.start.x, drag.end.x),
    y1: Math.max(drag.start.y, drag.end.y)
  }

  return (
    <div
      ref={surface}
      className="box-editor"
      style={{ width: size, height: size }}
      tabIndex={0}
      role="application"
      aria-label={`Draw boxes on sample ${sample.index}${sample.seed === null ? '' : ` of seed ${sample.seed}`}: drag to draw, click a box to select it`}
      data-testid="forget-editor"
      data-key={sample.key}
      data-boxes={boxes.length}
      onPointerDown={(event) => {
        if (event.button !== 0) return
        event.preventDefault()
        event.currentTarget.setPointerCapture(event.pointerId)
        event.currentTarget.focus()
        const p = pointAt(event)
        setDrag({ start: p, end: p })
      }}
      onPointerMove={(event) => {
        if (drag) setDrag({ ...drag, end: pointAt(event) })
      }}
      onPointerUp={(event) => {
        if (!drag) return
        const end = pointAt(event)
        setDrag(null)
        const box = boxFromDrag(drag.start, end, sample.image.width)
        if (box) {
          onAdd(box)
        } else {
          // A click, not a drag: select the box under it, or nothing.
          const hit = boxAt(boxes, end)
          onSelect(hit >= 0 ? hit : null)
        }
      }}
      onPointerCancel={() => setDrag(null)}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && (drag || selected !== null)) {
          event.stopPropagation()
          setDrag(null)
          onSelect(null)
        }
      }}
    >
      <ImageTile image={sample.image} size={size} label={`sample ${sample.index}${sample.seed === null ? '' : ` of seed ${sample.seed}`}, enlarged`} />
      {boxes.map((box, i) => (
        <div
          key={i}
          className={`drawn-box${selected === i ? ' selected' : ''}`}
          style={{ left: percent(box.x0), top: percent(box.y0), width: percent(box.x1 - box.x0), height: percent(box.y1 - box.y0) }}
          data-testid="forget-box"
        >
          <span className="box-number">{i + 1}</span>
          <button
            type="button"
            className="box-remove"
            aria-label={`Remove box ${i + 1}`}
            title="Remove this box"
            // The editor starts a drag on pointerdown; this button must not.
            onPointerDown={(event) => event.stopPropagation()}
            onClick={() => {
              onRemove(i)
              surface.current?.focus()
            }}
          >
            ×
          </button>
        </div>
      ))}
      {draft && (
        <div
          className="drawn-box draft"
          style={{ left: percent(draft.x0), top: percent(draft.y0), width: percent(draft.x1 - draft.x0), height: percent(draft.y1 - draft.y0) }}
        />
      )}
    </div>
  )
}
