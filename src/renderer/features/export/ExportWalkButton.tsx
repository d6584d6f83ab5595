import { useState } from 'react'
import { ExportWalkDialog, type WalkToExport } from './ExportWalkDialog'

/** The Walk panel's way in: a button that opens the export dialog for the walk as the panel holds it. */
export function ExportWalkButton({ walk }: { walk: WalkToExport }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        disabled={walk.keyframes.length < 2}
        onClick={() => setOpen(true)}
        data-testid="walk-export"
        title="Save this walk as a video, GIF or PNG frames"
      >
        Export…
      </button>
      {open && <ExportWalkDialog walk={walk} onClose={() => setOpen(false)} />}
    </>
  )
}
