import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/**
 * The library: the folder holding a user's datasets, runs, concepts and exports. Files are the source of
 * truth, so a library can be backed up or copied to another machine as a folder.
 */
export const LIBRARY_FOLDERS = ['datasets', 'runs', 'concepts', 'exports'] as const

export interface LibraryLocation {
  root: string
  /** How the root was chosen, for `doctor` and the UI. */
  source: 'flag' | 'env' | 'electron' | 'default'
}

/** `--library DIR` wins, then DCGAN_STUDIO_HOME, then Electron's userData folder, then ~/.dcgan-studio. */
export function resolveLibrary(options: { flag?: string | undefined; electronUserData?: string | undefined } = {}): LibraryLocation {
  if (options.flag) return { root: path.resolve(options.flag), source: 'flag' }
  const env = process.env.DCGAN_STUDIO_HOME
  if (env) return { root: path.resolve(env), source: 'env' }
  if (options.electronUserData) return { root: path.join(options.electronUserData, 'library'), source: 'electron' }
  return { root: path.join(os.homedir(), '.dcgan-studio'), source: 'default' }
}

export class Library {
  constructor(readonly root: string) {}

  /** Creates the library's folders if they are missing; says clearly when the location is unusable. */
  static open(root: string): Library {
    try {
      for (const folder of LIBRARY_FOLDERS) fs.mkdirSync(path.join(root, folder), { recursive: true })
      fs.accessSync(root, fs.constants.W_OK)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      throw new Error(`Cannot use ${root} as the studio library (${reason}). Choose another with --library DIR.`, { cause: err })
    }
    return new Library(root)
  }

  path(...parts: string[]): string {
    return path.join(this.root, ...parts)
  }
}
