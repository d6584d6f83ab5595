import { useState } from 'react'
import { ExportTimelapseDialog, type TimelapseSource } from './ExportTimelapseDialog'

/** The run view's way in: a button that opens the timelapse export for the run's sample grids. */
export function ExportTimelapseButton({ source, imported }: { source: TimelapseSource; imported: boolean }) {
  const [open, setOpen] = useState(false)
  const none = source.steps.length === 0
  // Say why there is nothing to play instead of failing after a click.
  const why = imported
    ? 'This model was imported without a training history, so it has no sample grids; train it further and each grid becomes a frame.'
    : 'The first sample grid appears when training starts.'
  return (
    <>
      <button
        type="button"
        disabled={none}
        onClick={() => setOpen(true)}
        data-testid="timelapse-export"
        title={none ? why : 'Save the sample grids over training as a video or GIF, with the step, epoch and losses on each frame'}
      >
        Export timelapse…
      </button>
      {open && <ExportTimelapseDialog source={source} onClose={() => setOpen(false)} />}
    </>
  )
}
