import type { SystemView } from './system-view'

/** Where a library is: the path the system loader would open, and copies it would not find. */
export interface LibraryLocation {
  path: string | null
  elsewhere: string[]
}

/**
 * The folders the system loader searches for a library libtensorflow opens by name, and the folders CUDA and
 * cuDNN usually install to, which it may not search.
 *
 * Linux (dlopen): LD_LIBRARY_PATH, then the ld.so cache (/etc/ld.so.cache, built by ldconfig from
 * /etc/ld.so.conf), then the default system folders. A folder listed in ld.so.conf whose files are missing
 * from the cache needs `ldconfig` run again. Windows (LoadLibrary): System32, the Windows folder, then PATH.
 */
export class LibrarySearch {
  /** Folders searched before the cache: LD_LIBRARY_PATH (Linux); System32, the Windows folder, PATH (Windows). */
  private readonly firstDirs: string[]
  /** The default system folders, searched after the cache (Linux only). */
  private readonly defaultDirs: string[]
  /** The ld.so cache: file name → path (Linux only). */
  readonly cache: Map<string, string>
  /** Folders ld.so.conf lists (Linux only); files there reach the loader only through the cache. */
  readonly configuredDirs: string[]
  /** Where CUDA and cuDNN install to that the loader may not search. */
  readonly installDirs: string[]

  constructor(private readonly view: SystemView) {
    if (view.windows) {
      const windir = view.env('SystemRoot') ?? view.env('windir') ?? 'C:\\Windows'
      this.firstDirs = unique([view.paths.join(windir, 'System32'), windir, ...view.pathList('PATH')], true)
      this.defaultDirs = []
      this.cache = new Map()
      this.configuredDirs = []
      this.installDirs = windowsInstallDirs(view)
    } else {
      const triple = view.input.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu'
      this.firstDirs = unique(view.pathList('LD_LIBRARY_PATH'), false)
      this.defaultDirs = [`/lib/${triple}`, `/usr/lib/${triple}`, '/lib64', '/usr/lib64', '/lib', '/usr/lib']
      this.cache = readLdCache(view)
      this.configuredDirs = readLdConf(view, '/etc/ld.so.conf', 0)
      this.installDirs = linuxInstallDirs(view, triple)
    }
  }

  /** Every folder the loader searches, in order (the cache aside). */
  get loaderDirs(): string[] {
    return [...this.firstDirs, ...this.defaultDirs]
  }

  /** Finds a library by its exact file name the way the loader would, and any copies it would miss. */
  locate(file: string): LibraryLocation {
    const found = this.firstIn(this.firstDirs, file) ?? this.cached(file) ?? this.firstIn(this.defaultDirs, file)
    if (found) return { path: found, elsewhere: [] }
    const elsewhere: string[] = []
    for (const dir of unique([...this.configuredDirs, ...this.installDirs], this.view.windows)) {
      const name = this.view.findIn(dir, file)
      if (name) elsewhere.push(this.view.paths.join(dir, name))
    }
    return { path: null, elsewhere: this.distinct(elsewhere) }
  }

  /** One path per file: /usr/local/cuda/lib64 and /usr/local/cuda-12.4/targets/x86_64-linux/lib are often the same folder. */
  private distinct(files: string[]): string[] {
    const seen = new Set<string>()
    return files.filter((file) => {
      const id = this.view.identity(file)
      if (seen.has(id)) return false
      seen.add(id)
      return true
    })
  }

  private firstIn(dirs: string[], file: string): string | null {
    for (const dir of dirs) {
      const name = this.view.findIn(dir, file)
      if (name) return this.view.paths.join(dir, name)
    }
    return null
  }

  private cached(file: string): string | null {
    const cached = this.cache.get(file)
    return cached && this.view.exists(cached) ? cached : null
  }

  /** Every file in every folder the doctor looks at whose name matches, e.g. other versions of a library. */
  matching(pattern: RegExp): string[] {
    const paths = this.view.paths
    const hits = new Set<string>()
    const dirs = unique([...this.loaderDirs, ...this.configuredDirs, ...this.installDirs], this.view.windows)
    for (const dir of dirs) for (const name of this.view.list(dir)) if (pattern.test(name)) hits.add(paths.join(dir, name))
    for (const [name, file] of this.cache) if (pattern.test(name) && this.view.exists(file)) hits.add(file)
    return this.distinct([...hits].sort())
  }

  /** Whether a folder is one the loader searches (so a file there would have been found). */
  searches(dir: string): boolean {
    const norm = (d: string): string => (this.view.windows ? d.toLowerCase() : d).replace(/[\\/]+$/, '')
    return this.loaderDirs.some((d) => norm(d) === norm(dir))
  }

  /** Whether ld.so.conf lists a folder (then `ldconfig` puts its files in the cache). */
  configured(dir: string): boolean {
    return this.configuredDirs.includes(dir.replace(/\/+$/, ''))
  }
}

function unique(dirs: string[], caseInsensitive: boolean): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const dir of dirs) {
    const trimmed = dir.length > 1 ? dir.replace(/[\\/]+$/, '') : dir
    const key = caseInsensitive ? trimmed.toLowerCase() : trimmed
    if (seen.has(key)) continue
    seen.add(key)
    out.push(trimmed)
  }
  return out
}

/**
 * The paths in /etc/ld.so.cache, by file name. Both cache formats keep the paths as NUL-terminated strings;
 * reading them from the file (instead of running `ldconfig -p`) works for fixture trees too.
 */
function readLdCache(view: SystemView): Map<string, string> {
  const bytes = view.readBytes('/etc/ld.so.cache')
  const cache = new Map<string, string>()
  if (!bytes) return cache
  for (const text of bytes.toString('latin1').split('\0')) {
    const start = text.indexOf('/')
    if (start < 0) continue
    const file = text.slice(start)
    if (!/\.so(\.|$)/.test(file)) continue
    const name = file.slice(file.lastIndexOf('/') + 1)
    if (!cache.has(name)) cache.set(name, file)
  }
  return cache
}

/** The folders /etc/ld.so.conf lists, following its `include` lines (globs of *.conf files). */
function readLdConf(view: SystemView, file: string, depth: number): string[] {
  const text = view.readText(file)
  if (text === null || depth > 4) return []
  const dirs: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim()
    if (!line) continue
    const include = /^include\s+(.+)$/.exec(line)
    if (include) {
      for (const pattern of (include[1] ?? '').split(/\s+/)) {
        const full = pattern.startsWith('/') ? pattern : `/etc/${pattern}`
        const dir = full.slice(0, full.lastIndexOf('/')) || '/'
        const glob = new RegExp(
          `^${full
            .slice(full.lastIndexOf('/') + 1)
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`
        )
        for (const name of view
          .list(dir)
          .filter((n) => glob.test(n))
          .sort())
          dirs.push(...readLdConf(view, `${dir}/${name}`, depth + 1))
      }
      continue
    }
    if (line.startsWith('/')) dirs.push(line.replace(/\/+$/, ''))
  }
  return unique(dirs, false)
}

/** Where CUDA toolkits, cuDNN tarballs and conda environments put their libraries on Linux. */
function linuxInstallDirs(view: SystemView, triple: string): string[] {
  const target = `${triple.split('-')[0]}-linux`
  const roots = [
    '/usr/local/cuda',
    ...view
      .list('/usr/local')
      .filter((n) => /^cuda-\d/.test(n))
      .sort()
      .map((n) => `/usr/local/${n}`),
    '/opt/cuda'
  ]
  for (const name of ['CUDA_HOME', 'CUDA_PATH', 'CUDA_ROOT']) {
    const value = view.env(name)
    if (value) roots.push(value)
  }
  const dirs = roots.flatMap((r) => [`${r}/lib64`, `${r}/lib`, `${r}/targets/${target}/lib`])
  const conda = view.env('CONDA_PREFIX')
  if (conda) dirs.push(`${conda}/lib`)
  // WSL: the Windows driver's libcuda.so.1 and nvidia-smi.
  dirs.push('/usr/lib/wsl/lib')
  return unique(
    dirs.filter((d) => view.isDirectory(d)),
    false
  )
}

/** Where the CUDA and cuDNN installers put their DLLs on Windows. */
function windowsInstallDirs(view: SystemView): string[] {
  const p = view.paths
  const dirs: string[] = []
  for (const name of view.envNames()) {
    const value = view.input.env[name]
    if (value && /^CUDA_PATH(_V\d+_\d+)?$/i.test(name)) dirs.push(p.join(value, 'bin'))
  }
  const programFiles = view.env('ProgramFiles') ?? 'C:\\Program Files'
  const toolkit = p.join(programFiles, 'NVIDIA GPU Computing Toolkit', 'CUDA')
  for (const v of view
    .list(toolkit)
    .filter((n) => /^v\d/.test(n))
    .sort())
    dirs.push(p.join(toolkit, v, 'bin'))
  const cudnn = p.join(programFiles, 'NVIDIA', 'CUDNN')
  for (const v of view
    .list(cudnn)
    .filter((n) => /^v\d/.test(n))
    .sort()) {
    const bin = p.join(cudnn, v, 'bin')
    dirs.push(bin)
    // cuDNN 9's installer nests the DLLs by CUDA version: bin\12.6\cudnn64_9.dll.
    for (const sub of view.list(bin).filter((n) => /^\d+\.\d+$/.test(n))) dirs.push(p.join(bin, sub))
  }
  return unique(
    dirs.filter((d) => view.isDirectory(d)),
    true
  )
}
