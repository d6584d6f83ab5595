import { StudioError } from '../../shared/api/errors'

/**
 * Cancelling long engine work. The engine reads a cancel message only between tasks, so a loop of
 * synchronous tensor work must hand the event loop a turn now and then, or the cancel would wait for the end.
 */

export function stopIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StudioError('cancelled', 'Cancelled.')
}

/** Lets pending messages (a cancel) in, then stops if one cancelled the work. */
export async function yieldAndCheck(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve))
  stopIfCancelled(signal)
}
