import { spawn } from 'node:child_process'
import * as readline from 'node:readline'
import { StudioError } from '../../../shared/api/errors'
import { ffmpegInfo } from '../diagnostics'

export interface Ffmpeg {
  path: string
  version: string
}

let known: { key: string; ffmpeg: Ffmpeg } | null = null

/** The ffmpeg exports use (FFMPEG_PATH, else the bundled one), or an error that says what to do about it. */
export function locateFfmpeg(): Ffmpeg {
  const key = process.env.FFMPEG_PATH ?? ''
  // Asking ffmpeg for its version is a synchronous spawn: do it once per binary, not once per export.
  if (known?.key === key) return known.ffmpeg
  const info = ffmpegInfo()
  if (!info.path || !info.version) {
    const fix =
      info.source === 'FFMPEG_PATH'
        ? 'Point FFMPEG_PATH at a working ffmpeg, or unset it to use the one bundled with the studio.'
        : 'Reinstall the studio (npm install puts ffmpeg in node_modules/@ffmpeg-installer), or set FFMPEG_PATH to an ffmpeg binary.'
    const which = info.source === 'FFMPEG_PATH' ? `FFMPEG_PATH=${info.path ?? ''}` : `the bundled ffmpeg (${info.source})`
    throw new StudioError('io_error', `Exporting walks needs ffmpeg, but ${which} cannot be used (${info.problem ?? 'missing'}). ${fix}`, { ffmpeg: info })
  }
  known = { key, ffmpeg: { path: info.path, version: info.version } }
  return known.ffmpeg
}

/** The last lines ffmpeg wrote to stderr: what a failure message shows. */
class StderrTail {
  private readonly lines: string[] = []
  private partial = ''

  constructor(private readonly keep: number) {}

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split(/\r?\n|\r/)
    this.partial = parts.pop() ?? ''
    for (const line of parts) this.add(line)
  }

  text(): string[] {
    if (this.partial) this.add(this.partial)
    this.partial = ''
    return [...this.lines]
  }

  private add(line: string): void {
    const trimmed = line.trim()
    if (!trimmed) return
    this.lines.push(trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed)
    if (this.lines.length > this.keep) this.lines.shift()
  }
}

export interface FfmpegRun {
  /** Writes bytes to ffmpeg's stdin, waiting while the pipe is full (so frames are never piled up here). */
  write(bytes: Uint8Array): Promise<void>
  /** Closes stdin and waits for ffmpeg to finish; fails with ffmpeg's last stderr lines. */
  finish(): Promise<void>
  /** Stops ffmpeg at once (cancel, or a failure elsewhere). */
  kill(): void
}

export interface FfmpegOptions {
  /** What ffmpeg is making, for error messages ("the MP4", "the GIF palette"). */
  what: string
  /** Whether frames arrive on stdin. */
  stdin: boolean
  /** Called with the number of frames ffmpeg has output so far (from its -progress report). */
  onFrames?: (frames: number) => void
}

/** Starts one ffmpeg command; quiet except for errors, which are kept for the failure message. */
export function runFfmpeg(ffmpeg: Ffmpeg, args: string[], options: FfmpegOptions): FfmpegRun {
  const progress = options.onFrames ? ['-progress', 'pipe:1'] : []
  const child = spawn(ffmpeg.path, ['-hide_banner', '-nostats', '-loglevel', 'error', ...(options.stdin ? [] : ['-nostdin']), ...progress, ...args], {
    stdio: [options.stdin ? 'pipe' : 'ignore', options.onFrames ? 'pipe' : 'ignore', 'pipe'],
    // Its own process group, so Ctrl+C in a terminal reaches the studio (which cancels and cleans up) rather
    // than ffmpeg (which would finish a half-written file on its own).
    detached: process.platform !== 'win32',
    windowsHide: true
  })
  const tail = new StderrTail(12)
  child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk))
  // A write after ffmpeg died fails with EPIPE; the exit below carries the real reason.
  child.stdin?.on('error', () => undefined)
  if (options.onFrames && child.stdout) {
    const onFrames = options.onFrames
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^frame=\s*(\d+)/.exec(line)
      if (match) onFrames(Number(match[1]))
    })
  }
  let killed = false
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new StudioError('io_error', `Could not start ffmpeg (${ffmpeg.path}) for ${options.what}: ${err.message}`)))
    child.once('close', (code, signal) => {
      if (code === 0) {
        resolve()
        return
      }
      if (killed) {
        reject(new StudioError('cancelled', 'Cancelled.'))
        return
      }
      const lines = tail.text()
      const how = signal ? `was killed (${signal})` : `failed with exit code ${String(code)}`
      reject(
        new StudioError(
          'io_error',
          `ffmpeg ${how} while writing ${options.what}${lines.length ? `: ${lines.slice(-4).join(' | ')}` : ' and said nothing about why.'}`,
          {
            stderr: lines,
            args
          }
        )
      )
    })
  })
  // Failures surface through write() and finish(); an unobserved one must not crash the process.
  exited.catch(() => undefined)

  return {
    async write(bytes) {
      const stdin = child.stdin
      if (!stdin) throw new Error('this ffmpeg run takes no input')
      if (child.exitCode !== null || child.signalCode !== null || stdin.destroyed) {
        await exited
        throw new StudioError('io_error', `ffmpeg stopped reading frames early while writing ${options.what}.`)
      }
      if (stdin.write(bytes)) return
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          child.off('close', onClose)
          resolve()
        }
        const onClose = (): void => {
          stdin.off('drain', onDrain)
          exited.then(() => reject(new StudioError('io_error', `ffmpeg stopped reading frames early while writing ${options.what}.`)), reject)
        }
        stdin.once('drain', onDrain)
        child.once('close', onClose)
      })
    },
    async finish() {
      child.stdin?.end()
      await exited
    },
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return
      killed = true
      child.kill('SIGKILL')
    }
  }
}
