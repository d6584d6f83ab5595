import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { VideoFormat } from '../../../shared/api/export'
import { StudioError } from '../../../shared/api/errors'
import { syncDirectory } from '../../../node/atomic-files'

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
    if (ext === '.png') throw new StudioError('bad_request', `PNG frames are written into a folder: give a folder name such as "${file.slice(0, -4)}-frames", not ${path.basename(file)}.`)
    return file
  }
  if (!ext) return `${file}.${format}`
  const promised = EXTENSIONS[ext]
  if (promised && promised !== format) throw new StudioError('bad_request', `${path.basename(file)} ends in ${ext} but the format is ${format.toUpperCase()}: change the name or the format.`)
  return file
}

export function pngOutPath(file: string): string {
  return path.extname(file) ? file : `${file}.png`
}

export function jsonOutPath(file: string): string {
  return path.extname(file) ? file : `${file}.json`
}

/**
 * An export in progress: written under a hidden temporary name in the destination folder (same file system,
 * so the final rename is atomic), renamed to its real name only when complete. A cancelled or failed export
 * removes its temporary and leaves nothing under the chosen name.
 */
export class PendingOutput {
  private constructor(
    readonly final: string,
    readonly kind: 'file' | 'folder',
    readonly temp: string
  ) {}

  /** Checks the destination and reserves a temporary beside it. */
  static async prepare(final: string, kind: 'file' | 'folder', overwrite: boolean): Promise<PendingOutput> {
    const dir = path.dirname(final)
    try {
      await fs.promises.mkdir(dir, { recursive: true })
    } catch (err) {
      throw new StudioError('io_error', `Cannot create the folder ${dir} for the export: ${(err as Error).message}`)
    }
    await checkDestination(final, kind, overwrite)
    await removeAbandonedTemporaries(dir, path.basename(final))
    const temp = path.join(dir, `.${path.basename(final)}.export-${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
    try {
      if (kind === 'folder') await fs.promises.mkdir(temp)
      else await fs.promises.writeFile(temp, '', { flag: 'wx' })
    } catch (err) {
      throw new StudioError('io_error', `Cannot write in ${dir}: ${(err as Error).message}. Choose a folder you can write to.`)
    }
    return new PendingOutput(final, kind, temp)
  }

  /** A scratch file beside the temporary (a GIF's palette and spooled frames), removed with it. */
  scratch(suffix: string): string {
    return `${this.temp}.${suffix}`
  }

  /** Moves the finished export to its real name. */
  async commit(): Promise<void> {
    if (this.kind === 'file') {
      const handle = await fs.promises.open(this.temp, 'r+')
      try {
        await handle.sync()
      } finally {
        await handle.close()
      }
      await fs.promises.rename(this.temp, this.final)
    } else {
      await syncDirectory(this.temp)
      // A folder cannot be renamed over a non-empty one: move the old one aside first, then drop it.
      const old = fs.existsSync(this.final) ? `${this.temp}.replaced` : null
      if (old) await fs.promises.rename(this.final, old)
      try {
        await fs.promises.rename(this.temp, this.final)
      } catch (err) {
        if (old) await fs.promises.rename(old, this.final).catch(() => undefined)
        throw err
      }
      if (old) await fs.promises.rm(old, { recursive: true, force: true })
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
}

async function checkDestination(final: string, kind: 'file' | 'folder', overwrite: boolean): Promise<void> {
  const stat = await fs.promises.stat(final).catch(() => null)
  if (!stat) return
  if (kind === 'file') {
    if (stat.isDirectory()) throw new StudioError('bad_request', `${final} is a folder. Give a file name for the export.`)
    if (!overwrite) throw new StudioError('bad_request', `${final} already exists. Choose another name, or allow replacing it.`)
    return
  }
  if (!stat.isDirectory()) throw new StudioError('bad_request', `${final} is a file. PNG frames go into a folder: give a folder name.`)
  const entries = await fs.promises.readdir(final)
  if (entries.length === 0) return
  // Only ever replace a folder of frames the studio made itself, never a folder of someone's files.
  if (!entries.includes(FOLDER_RECORD)) throw new StudioError('bad_request', `The folder ${final} already holds other files. Choose a new or empty folder for the frames.`)
  if (!overwrite) throw new StudioError('bad_request', `${final} already holds exported frames. Choose another folder, or allow replacing it.`)
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
