import type { DatasetSummary } from '../../../shared/formats/dataset'

export type ImportPhase = 'scanning' | 'importing' | 'finishing'

/**
 * Where an import is. `done`/`total` count files for a folder import and images for IDX; while scanning,
 * `total` is not known yet and is 0.
 */
export interface ImportProgress {
  done: number
  total: number
  phase: ImportPhase
  message: string
}

/** Scanning can find thousands of files a second; the UI needs a few updates a second, not thousands. */
const SCAN_INTERVAL_MS = 100

export function progressReporter(onProgress: ((p: ImportProgress) => void) | undefined) {
  let lastScan = 0
  const emit = (p: ImportProgress): void => onProgress?.(p)
  return {
    scanning(found: number, force = false): void {
      const now = Date.now()
      if (!force && now - lastScan < SCAN_INTERVAL_MS) return
      lastScan = now
      emit({ done: found, total: 0, phase: 'scanning', message: `Looking for images: ${found} files found` })
    },
    importing(done: number, total: number, s: Pick<DatasetSummary, 'imported' | 'skipped' | 'duplicate'>): void {
      const parts = [`${s.imported} imported`]
      if (s.skipped > 0) parts.push(`${s.skipped} skipped`)
      if (s.duplicate > 0) parts.push(`${s.duplicate} duplicate${s.duplicate === 1 ? '' : 's'}`)
      emit({ done, total, phase: 'importing', message: `Read ${done} of ${total} files: ${parts.join(', ')}` })
    },
    images(done: number, total: number): void {
      emit({ done, total, phase: 'importing', message: `Imported ${done} of ${total} images` })
    },
    finishing(total: number): void {
      emit({ done: total, total, phase: 'finishing', message: 'Writing the dataset' })
    }
  }
}
