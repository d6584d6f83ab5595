import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * The machine as the doctor sees it: its platform, its environment and its files. Paths are the machine's own
 * (`/usr/lib/wsl/lib`, `C:\Windows\System32`); with a `root`, each one is read from under that folder instead,
 * which is how tests point the doctor at fixture trees of empty library files and fake /proc files.
 */
export interface SystemInput {
  platform: NodeJS.Platform
  arch: string
  env: Record<string, string | undefined>
  /** Folder standing in for `/` (Linux) or holding drive folders `C/…` (Windows); null for the real machine. */
  root: string | null
}

export class SystemView {
  readonly windows: boolean
  private readonly listings = new Map<string, string[]>()

  constructor(readonly input: SystemInput) {
    this.windows = input.platform === 'win32'
  }

  /** The machine's path flavour: win32 paths for Windows, posix otherwise. */
  get paths(): path.PlatformPath {
    return this.windows ? path.win32 : path.posix
  }

  /** An environment variable; Windows names are case-insensitive (Path, PATH). */
  env(name: string): string | undefined {
    if (!this.windows) return this.input.env[name]
    const key = Object.keys(this.input.env).find((k) => k.toUpperCase() === name.toUpperCase())
    return key === undefined ? undefined : this.input.env[key]
  }

  envNames(): string[] {
    return Object.keys(this.input.env)
  }

  /** A search-path variable split into folders (PATH, LD_LIBRARY_PATH); empty entries are dropped. */
  pathList(name: string): string[] {
    const value = this.env(name)
    if (!value) return []
    return value
      .split(this.windows ? ';' : ':')
      .map((p) => p.trim())
      .filter((p) => p.length > 0)
  }

  /** Where a machine path lives on this file system. */
  private host(machinePath: string): string {
    const root = this.input.root
    if (root === null) return machinePath
    if (this.windows) {
      const resolved = path.win32.resolve(machinePath)
      const driveRoot = path.win32.parse(resolved).root
      let host = path.join(root, driveRoot.replace(/[:\\/]/g, '') || 'C')
      // Windows file names are case-insensitive (System32, system32): match each part the way it would.
      for (const part of resolved.slice(driveRoot.length).split(/[\\/]/).filter(Boolean)) {
        let names: string[]
        try {
          names = fs.readdirSync(host)
        } catch {
          names = []
        }
        host = path.join(host, names.find((n) => n.toLowerCase() === part.toLowerCase()) ?? part)
      }
      return host
    }
    return path.join(root, path.posix.resolve('/', machinePath))
  }

  /** File names in a folder ([] when it does not exist or cannot be read); cached for the doctor's one pass. */
  list(dir: string): string[] {
    const key = this.windows ? dir.toLowerCase() : dir
    const cached = this.listings.get(key)
    if (cached) return cached
    let names: string[]
    try {
      names = fs.readdirSync(this.host(dir))
    } catch {
      names = []
    }
    this.listings.set(key, names)
    return names
  }

  /** Whether a file or folder exists (a symlink counts when its target exists: that is what the loader needs). */
  exists(file: string): boolean {
    return fs.existsSync(this.host(file))
  }

  isDirectory(dir: string): boolean {
    try {
      return fs.statSync(this.host(dir)).isDirectory()
    } catch {
      return false
    }
  }

  /** What a path really is once symlinks are followed (/usr/local/cuda → cuda-12.4), to count one file once. */
  identity(file: string): string {
    try {
      return fs.realpathSync(this.host(file))
    } catch {
      return this.host(file)
    }
  }

  readText(file: string): string | null {
    try {
      return fs.readFileSync(this.host(file), 'utf8')
    } catch {
      return null
    }
  }

  readBytes(file: string): Buffer | null {
    try {
      return fs.readFileSync(this.host(file))
    } catch {
      return null
    }
  }

  /** A file in `dir` by name, matching case-insensitively on Windows; the name as it is on disk, or null. */
  findIn(dir: string, name: string): string | null {
    const names = this.list(dir)
    if (!this.windows) return names.includes(name) && this.exists(this.paths.join(dir, name)) ? name : null
    const lower = name.toLowerCase()
    return names.find((n) => n.toLowerCase() === lower) ?? null
  }

  /** Runs a program of this machine: its stdout, or the first line of what it said when it failed or took over 10 s. */
  run(file: string, args: string[]): { stdout: string } | { error: string } {
    try {
      const stdout = execFileSync(this.host(file), args, {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true
      })
      return { stdout }
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message?: string }
      const text = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || (e.message ?? String(err))
      return { error: text.split('\n')[0] ?? text }
    }
  }
}
