import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { VideoFormat } from '../../../shared/api/export'
import { StudioError } from '../../../shared/api/errors'
import type { ExportRecord } from '../../../shared/api/export'
import { syncDirectory, syncFile, writeAndSync } from '../../../node/atomic-files'
import { recordText, sidecarPath } from './export-record'

/** The record a folder of frames carries inside it (files carry theirs beside them, as `<file>.json`). */
export const FOLDER_RECORD = 'export.json'

/**
 * Where an export goes. Paths name the machine running the studio: `~/…` is the home folder there, and a
 * relative path lands in the library's exports/ folder (the CLI resolves its own against the working folder).
 */
export function resolveOutPath(out: string, exportsDir: string): string {
  const expanded = out === '~' ? os.homedir() : out.startsWith('~/') ? path.join(os.homedir(), out.slice(2)) : out
  return path.resolve(exportsDir, expanded)
}

const EXTENSIONS: Record<string, VideoFormat> = { '.mp4': 'mp4', '.m4v': 'mp4', '.webm': 'webm', '.gif': 'gif', '.png': 'png' }

/** Adds the format's extension to a bare name, and refuses a name that promises another format. */
export function videoOutPath(file: string, format: VideoFormat): string {
  const ext = path.extname(file).toLowerCase()
  if (format === 'png') {
    if (ext === '.png')
      throw new StudioError(
        'bad_request',
        `PNG frames are written into a folder: give a folder name such as "${file.slice(0, -4)}-frames", not ${path.basename(file)}.`
      )
    return file
  }
  if (!ext) return `${file}.${format}`
  const promised = EXTENSIONS[ext]
  if (promised && promised !== format)
    throw new StudioError('bad_request', `${path.basename(file)} ends in ${ext} but the format is ${format.toUpperCase()}: change the name or the format.`)
  return file
}

export function pngOutPath(file: string): string {
  return path.extname(file) ? file : `${file}.png`
}

export function jsonOutPath(file: string): string {
  return path.extname(file) ? file : `${file}.json`
}

/** Where an export's record goes: `FILE.json` beside a file, `export.json` inside a folder of frames. */
export function recordPath(final: string, kind: 'file' | 'folder'): string {
  return kind === 'folder' ? path.join(final, FOLDER_RECORD) : sidecarPath(final)
}

/**
 * An export in progress: written under a hidden temporary name in the destination folder (same file system,
 * so the final rename is atomic), renamed to its real name only when complete. A cancelled or failed export
 * removes its temporary and leaves nothing under the chosen name. An export with a record commits the two
 * together: the record is written under a temporary name too, and either both take their names or neither
 * does, and whatever was at the destination before is then as it was.
 */
export class PendingOutput {
  private constructor(
    readonly final: string,
    readonly kind: 'file' | 'folder',
    readonly temp: string,
    private readonly overwrite: boolean,
    /** Where the export's record goes (`FILE.json` beside a file, `export.json` in a folder), or null for none. */
    readonly recordFile: string | null
  ) {}

  /**
   * Checks the destination (and the record's) and reserves a temporary beside it. The checks here only report
   * mistakes early: commit() checks again with operations that cannot replace anything.
   */
  static async prepare(final: string, kind: 'file' | 'folder', overwrite: boolean, options: { record?: boolean } = {}): Promise<PendingOutput> {
    const dir = path.dirname(final)
    try {
      await fs.promises.mkdir(dir, { recursive: true })
    } catch (err) {
      throw new StudioError('io_error', `Cannot create the folder ${dir} for the export: ${(err as Error).message}`)
    }
    const recordFile = options.record ? recordPath(final, kind) : null
    await checkDestination(final, kind, overwrite)
    if (recordFile && kind === 'file') await checkDestination(recordFile, 'file', overwrite, final)
    await removeAbandonedTemporaries(dir, path.basename(final))
    const temp = path.join(dir, `.${path.basename(final)}.export-${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
    try {
      if (kind === 'folder') await fs.promises.mkdir(temp)
      else await fs.promises.writeFile(temp, '', { flag: 'wx' })
    } catch (err) {
      throw new StudioError('io_error', `Cannot write in ${dir}: ${(err as Error).message}. Choose a folder you can write to.`)
    }
    return new PendingOutput(final, kind, temp, overwrite, recordFile)
  }

  /** A scratch file beside the temporary (a GIF's palette and spooled frames), removed with it. */
  scratch(suffix: string): string {
    return `${this.temp}.${suffix}`
  }

  /** Moves the finished export, and its record when it has one, to their real names: both or neither. */
  async commit(record: ExportRecord | null = null): Promise<void> {
    if ((record === null) !== (this.recordFile === null))
      throw new Error(`The export to ${this.final} was prepared ${this.recordFile ? 'with' : 'without'} a record.`)
    const text = record ? recordText(record) : null
    if (this.kind === 'folder') {
      // Inside the folder before it is renamed into place: the frames and their record appear together.
      if (text !== null) await writeAndSync(path.join(this.temp, FOLDER_RECORD), text, { exclusive: true })
      await this.commitFolder()
    } else {
      await syncFile(this.temp)
      const moves: Move[] = [{ from: this.temp, to: this.final, what: 'the export' }]
      if (text !== null && this.recordFile) {
        // Written in full before anything takes its real name: a record that cannot be written stops the export.
        const recordTemp = this.scratch('record')
        try {
          await writeAndSync(recordTemp, text, { exclusive: true })
        } catch (err) {
          throw new StudioError(
            'io_error',
            `Cannot write the export's record beside ${this.final}: ${(err as Error).message}. Nothing was written under ${path.basename(this.final)}.`
          )
        }
        moves.push({ from: recordTemp, to: this.recordFile, what: `the record of ${path.basename(this.final)}` })
      }
      await placeAll(moves, this.overwrite, this.final)
    }
    await syncDirectory(path.dirname(this.final))
  }

  /** Removes everything this export wrote. */
  async discard(): Promise<void> {
    await fs.promises.rm(this.temp, { recursive: true, force: true })
    const dir = path.dirname(this.temp)
    const prefix = `${path.basename(this.temp)}.`
    const scratch = await fs.promises.readdir(dir).catch(() => [] as string[])
    await Promise.all(scratch.filter((name) => name.startsWith(prefix)).map((name) => fs.promises.rm(path.join(dir, name), { recursive: true, force: true })))
  }

  private async commitFolder(): Promise<void> {
    await syncDirectory(this.temp)
    if (!this.overwrite) {
      // rename(2) moves a folder onto a name that is free or an empty folder, and fails on a file or a folder that
      // holds anything: whatever appeared there since prepare() is never lost. An empty folder (one made for the
      // frames) is removed first, as Windows renames onto free names only; rmdir cannot remove a full one.
      await fs.promises.rmdir(this.final).catch(() => undefined)
      try {
        await fs.promises.rename(this.temp, this.final)
      } catch (err) {
        if (fs.existsSync(this.final)) await checkDestination(this.final, 'folder', false)
        throw new StudioError('io_error', `Cannot move the frames to ${this.final}: ${(err as Error).message}`)
      }
      return
    }
    // Checked again now: only ever replace a folder of frames the studio made itself, never a folder of someone's files.
    await checkDestination(this.final, 'folder', true)
    // A folder cannot be renamed over a non-empty one: move the old one aside first, then drop it. Not under a
    // scratch name of the export: if putting it back failed, discard() must not remove the earlier frames.
    const old = fs.existsSync(this.final) ? asideName(this.final) : null
    if (old) await fs.promises.rename(this.final, old)
    try {
      await fs.promises.rename(this.temp, this.final)
    } catch (err) {
      const restored = old
        ? await fs.promises.rename(old, this.final).then(
            () => true,
            () => false
          )
        : true
      throw new StudioError(
        'io_error',
        `Cannot move the frames to ${this.final}: ${(err as Error).message}. ${restored ? (old ? 'The earlier frames are as they were.' : 'Nothing was written.') : `The earlier frames are kept in ${old}; rename it back.`}`
      )
    }
    if (old) await fs.promises.rm(old, { recursive: true, force: true })
  }
}

interface Move {
  from: string
  to: string
  /** What it is, for messages: "the export", "the record of walk.mp4". */
  what: string
}

/**
 * Gives each temporary its real name, all or none: when one fails, those already placed are taken back and
 * what they replaced is put back. Without `replace`, a name that is taken fails the commit, checked by the
 * operation that takes it (a hard link cannot replace anything). With it, each name is renamed over
 * atomically, after the earlier file was given a second name to put it back from.
 */
async function placeAll(moves: Move[], replace: boolean, final: string): Promise<void> {
  const undo: (() => Promise<void>)[] = []
  const asides: string[] = []
  try {
    for (const move of moves) {
      if (!replace) {
        await placeNew(move)
        undo.push(() => fs.promises.rm(move.to, { force: true }))
        continue
      }
      const aside = asideName(move.to)
      const hadOne = await keepAside(move, aside)
      if (hadOne) asides.push(aside)
      try {
        await fs.promises.rename(move.from, move.to)
      } catch (err) {
        throw new StudioError('io_error', `Cannot write ${move.to} (${move.what}): ${(err as Error).message}.`)
      }
      undo.push(hadOne ? () => fs.promises.rename(aside, move.to) : () => fs.promises.rm(move.to, { force: true }))
    }
  } catch (err) {
    let undone = true
    for (const step of undo.reverse()) {
      try {
        await step()
      } catch {
        undone = false
      }
    }
    const kept = asides.filter((aside) => fs.existsSync(aside))
    const after = undone
      ? `Nothing was written${asides.length ? `; the earlier ${path.basename(final)} is as it was` : ''}.`
      : `Not everything could be put back as it was${kept.length ? `: the earlier files are kept as ${kept.join(', ')}; rename them back` : ''}. Check ${path.dirname(final)}.`
    throw new StudioError(err instanceof StudioError ? err.code : 'io_error', `${err instanceof Error ? err.message : String(err)} ${after}`)
  }
  await Promise.all(asides.map((aside) => fs.promises.rm(aside, { force: true })))
}

/**
 * A hidden name beside `file` for what an export is replacing, until the export is in place. Not a scratch
 * name of the export: if putting it back failed, discard() must not remove the only copy.
 */
function asideName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.earlier-${process.pid}-${randomBytes(4).toString('hex')}`)
}

/** Error codes of a file system without hard links (FAT, exFAT, some network shares), on any platform. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EINVAL', 'EISDIR', 'EXDEV'])

/** Gives the temporary its name only if the name is free; the temporary is gone afterwards. */
async function placeNew(move: Move): Promise<void> {
  try {
    await fs.promises.link(move.from, move.to)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? ''
    if (code === 'EEXIST') await refuseTaken(move)
    if (!NO_HARD_LINKS.has(code)) throw new StudioError('io_error', `Cannot write ${move.to} (${move.what}): ${(err as Error).message}.`)
    try {
      await placeByReservation(move.from, move.to)
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') await refuseTaken(move)
      throw new StudioError('io_error', `Cannot write ${move.to} (${move.what}): ${(fallback as Error).message}.`)
    }
    return
  }
  // The export is in place either way; a temporary left behind is hidden, and removed by a later export to
  // this name once this process has ended.
  await fs.promises.unlink(move.from).catch(() => undefined)
}

/**
 * Where a file system has no hard links: the name is taken with an exclusive create (which fails on any
 * existing name), then the finished file is renamed over that empty reservation of ours.
 */
export async function placeByReservation(from: string, to: string): Promise<void> {
  await (await fs.promises.open(to, 'wx')).close()
  try {
    await fs.promises.rename(from, to)
  } catch (err) {
    await fs.promises.rm(to, { force: true })
    throw err
  }
}

/** The error for a name taken since the export started (or one prepare() was not asked to check). */
async function refuseTaken(move: Move): Promise<never> {
  const stat = await fs.promises.lstat(move.to).catch(() => null)
  if (stat?.isDirectory())
    throw new StudioError('bad_request', `${move.to} is a folder, so ${move.what} cannot be written there. Move the folder or choose another name.`)
  throw new StudioError('bad_request', `${move.to} already exists; tick "replace" or choose another name.`)
}

/** Gives the file now at `move.to` a second name (or, without hard links, a copy), to put it back from; false when there is none. */
async function keepAside(move: Move, aside: string): Promise<boolean> {
  const stat = await fs.promises.lstat(move.to).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  })
  if (!stat) return false
  if (stat.isDirectory()) await refuseTaken(move)
  try {
    try {
      await fs.promises.link(move.to, aside)
    } catch (err) {
      if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err
      await fs.promises.copyFile(move.to, aside, fs.constants.COPYFILE_EXCL)
    }
  } catch (err) {
    throw new StudioError('io_error', `Cannot keep the earlier ${move.to} to put it back if the export fails: ${(err as Error).message}.`)
  }
  return true
}

async function checkDestination(final: string, kind: 'file' | 'folder', overwrite: boolean, recordOf?: string): Promise<void> {
  const stat = await fs.promises.stat(final).catch(() => null)
  if (!stat) return
  if (kind === 'file') {
    const what = recordOf ? `, where the record of ${path.basename(recordOf)} goes,` : ''
    if (stat.isDirectory())
      throw new StudioError(
        'bad_request',
        `${final}${what} is a folder. ${recordOf ? 'Move the folder or choose another name.' : 'Give a file name for the export.'}`
      )
    if (!overwrite) throw new StudioError('bad_request', `${final}${what} already exists; tick "replace" or choose another name.`)
    return
  }
  if (!stat.isDirectory()) throw new StudioError('bad_request', `${final} is a file. PNG frames go into a folder: give a folder name.`)
  const entries = await fs.promises.readdir(final)
  if (entries.length === 0) return
  // Only ever replace a folder of frames the studio made itself, never a folder of someone's files.
  if (!entries.includes(FOLDER_RECORD))
    throw new StudioError('bad_request', `The folder ${final} already holds other files. Choose a new or empty folder for the frames.`)
  if (!overwrite) throw new StudioError('bad_request', `${final} already holds exported frames; tick "replace" or choose another folder.`)
}

/** Temporaries of exports whose process died (killed, power cut): nothing will ever finish them. */
async function removeAbandonedTemporaries(dir: string, base: string): Promise<void> {
  const names = await fs.promises.readdir(dir).catch(() => [] as string[])
  const prefix = `.${base}.export-`
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1])
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue
    await fs.promises.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined)
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
