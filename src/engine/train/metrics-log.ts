import { appendFile, readFile } from 'node:fs/promises'
import { MetricsLine } from '../../shared/formats/run'
import { writeFileAtomic } from '../../node/atomic-files'

/**
 * metrics.jsonl: one MetricsLine per training step, appended as the run goes. Appends are not flushed one by
 * one (that would cost a disk sync per step); the trainer flushes the log before a checkpoint becomes the
 * latest, so every step up to the latest checkpoint survives a power cut.
 */

export async function appendMetrics(file: string, line: MetricsLine): Promise<void> {
  await appendFile(file, `${JSON.stringify(line)}\n`)
}

/**
 * Drops the lines of steps after `lastStep` (they will be trained again from the checkpoint) and any torn or
 * unreadable line, rewriting the file atomically when anything changed. Returns how many lines were dropped.
 */
export async function truncateMetrics(file: string, lastStep: number): Promise<number> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw new Error(`Cannot read the metrics log ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '')
  const kept = lines.filter((line) => {
    const parsed = MetricsLine.safeParse(safeJson(line))
    return parsed.success && parsed.data.step <= lastStep
  })
  // A file whose last line lacks its newline was cut off mid-append; rewriting also repairs that.
  const wellFormed = text === '' || text.endsWith('\n')
  if (kept.length === lines.length && wellFormed) return 0
  await writeFileAtomic(file, kept.map((line) => `${line}\n`).join(''))
  return lines.length - kept.length
}

/** Every line of the log, parsed (for tests and tools that read a run). */
export async function readMetrics(file: string): Promise<MetricsLine[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => MetricsLine.parse(JSON.parse(line)))
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
