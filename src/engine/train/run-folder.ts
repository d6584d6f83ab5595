import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { CheckpointMeta, LatestCheckpoint, RUN_FILES, sampleFileName, stepName } from '../../shared/formats/run'
import { syncDirectory, writeAndSync, writeFileAtomic } from '../../node/atomic-files'

/**
 * Where a run's files live (src/shared/formats/run.ts describes them) and the two operations that keep its
 * checkpoints consistent:
 * - publishing a checkpoint: assembled in `checkpoints/.tmp-<step>`, `checkpoint.json` written last, the folder
 *   renamed into place, and only then `latest.json` moved to it;
 * - recovering after a crash: whatever a killed process left half done (a `.tmp-` folder, a folder without
 *   checkpoint.json, a folder newer than latest.json) is removed, so the run continues from latest.json.
 */

const TEMP_PREFIX = '.tmp-'
const CHECKPOINT_FOLDER = /^\d{8,}$/

export interface RunPaths {
  root: string
  metrics: string
  latest: string
  samples: string
  checkpoints: string
  checkpoint(step: number): string
  sample(step: number): string
}

export function runPaths(runDir: string): RunPaths {
  const checkpoints = path.join(runDir, RUN_FILES.checkpoints)
  const samples = path.join(runDir, RUN_FILES.samples)
  return {
    root: runDir,
    metrics: path.join(runDir, RUN_FILES.metrics),
    latest: path.join(runDir, RUN_FILES.latest),
    samples,
    checkpoints,
    checkpoint: (step) => path.join(checkpoints, stepName(step)),
    sample: (step) => path.join(samples, sampleFileName(step))
  }
}

/** A path inside the run, with '/' separators, as events and the Node side name files. */
export function runRelative(...parts: string[]): string {
  return parts.join('/')
}

export interface RecoveredRun {
  /** latest.json, or null for a run that has no complete checkpoint yet. */
  latest: LatestCheckpoint | null
  /** The checkpoint latest.json names. */
  meta: CheckpointMeta | null
  /** Run-relative paths of what was removed, for the user's notes. */
  removed: string[]
}

/** Finds the run's last complete checkpoint and removes everything newer or incomplete. */
export async function recoverRun(runDir: string): Promise<RecoveredRun> {
  const paths = runPaths(runDir)
  await mkdir(paths.checkpoints, { recursive: true })
  const latest = (await readLatest(paths.latest)) ?? (await adoptNewestComplete(paths))
  const meta = latest ? await readCheckpointMeta(path.join(paths.checkpoints, latest.dir)) : null
  if (latest && meta && meta.step !== latest.step) {
    throw new Error(
      `${paths.latest} names step ${latest.step} but ${path.join(paths.checkpoints, latest.dir, RUN_FILES.checkpointMeta)} ` +
        `is for step ${meta.step}. Fix latest.json by hand or branch a new run from one of the checkpoints.`
    )
  }
  const removed: string[] = []
  for (const entry of await readdir(paths.checkpoints, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const folder = path.join(paths.checkpoints, entry.name)
    const torn =
      entry.name.startsWith(TEMP_PREFIX) ||
      (CHECKPOINT_FOLDER.test(entry.name) && (latest === null || Number(entry.name) > latest.step || !(await isComplete(folder))))
    if (torn) {
      await rm(folder, { recursive: true, force: true })
      removed.push(runRelative(RUN_FILES.checkpoints, entry.name))
    }
  }
  if (removed.length > 0) await syncDirectory(paths.checkpoints)
  return { latest, meta, removed }
}

/**
 * Without latest.json (deleted by hand, or lost with a damaged disk) the newest complete checkpoint is the
 * best truth there is: adopt it rather than starting over and deleting the user's checkpoints.
 */
async function adoptNewestComplete(paths: ReturnType<typeof runPaths>): Promise<LatestCheckpoint | null> {
  const names = (await readdir(paths.checkpoints))
    .filter((name) => CHECKPOINT_FOLDER.test(name))
    .sort()
    .reverse()
  for (const name of names) {
    if (!(await isComplete(path.join(paths.checkpoints, name)))) continue
    const latest: LatestCheckpoint = { step: Number(name), dir: stepName(Number(name)), writtenAt: new Date().toISOString() }
    await writeFileAtomic(paths.latest, JSON.stringify(latest, null, 2))
    return latest
  }
  return null
}

/**
 * Publishes the checkpoint of `meta.step`: `fill` writes the contents into a temporary folder, checkpoint.json
 * goes in last, the folder is renamed into place and latest.json is moved to it. A crash at any point leaves
 * latest.json on the previous checkpoint and a temporary or newer folder that `recoverRun` removes.
 */
export async function publishCheckpoint(runDir: string, meta: CheckpointMeta, fill: (dir: string) => Promise<void>): Promise<LatestCheckpoint> {
  const paths = runPaths(runDir)
  const temp = path.join(paths.checkpoints, `${TEMP_PREFIX}${stepName(meta.step)}`)
  const final = paths.checkpoint(meta.step)
  await rm(temp, { recursive: true, force: true })
  await mkdir(temp, { recursive: true })
  try {
    await fill(temp)
    await writeAndSync(path.join(temp, RUN_FILES.checkpointMeta), JSON.stringify(meta, null, 2))
    await syncDirectory(temp)
    // A folder already under this name is one latest.json does not name (the caller never republishes the
    // latest step), i.e. left over from an attempt that did not finish: this checkpoint replaces it.
    await rm(final, { recursive: true, force: true })
    await rename(temp, final)
  } catch (error) {
    await rm(temp, { recursive: true, force: true })
    throw error
  }
  await syncDirectory(paths.checkpoints)
  const latest: LatestCheckpoint = { step: meta.step, dir: stepName(meta.step), writtenAt: new Date().toISOString() }
  await writeFileAtomic(paths.latest, JSON.stringify(latest, null, 2))
  return latest
}

export async function readLatest(file: string): Promise<LatestCheckpoint | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new Error(`Cannot read ${file}: ${messageOf(error)}`, { cause: error })
  }
  return parseJsonFile(file, text, LatestCheckpoint, 'Its checkpoints are still in checkpoints/: branch a new run from one of them.')
}

export async function readCheckpointMeta(dir: string): Promise<CheckpointMeta> {
  const file = path.join(dir, RUN_FILES.checkpointMeta)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : messageOf(error)
    throw new Error(
      `The checkpoint ${dir} that latest.json names is incomplete: cannot read ${file} (${reason}). ` + 'Branch a new run from an earlier checkpoint.',
      { cause: error }
    )
  }
  return parseJsonFile(file, text, CheckpointMeta, 'Branch a new run from an earlier checkpoint.')
}

async function isComplete(folder: string): Promise<boolean> {
  try {
    CheckpointMeta.parse(JSON.parse(await readFile(path.join(folder, RUN_FILES.checkpointMeta), 'utf8')))
    return true
  } catch {
    return false
  }
}

function parseJsonFile<T>(file: string, text: string, schema: z.ZodType<T>, advice: string): T {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new Error(`${file} is corrupt (not valid JSON: ${messageOf(error)}). ${advice}`, { cause: error })
  }
  const parsed = schema.safeParse(data)
  if (!parsed.success) throw new Error(`${file} is not valid: ${z.prettifyError(parsed.error)}. ${advice}`)
  return parsed.data
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
