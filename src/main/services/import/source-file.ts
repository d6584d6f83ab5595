import * as fs from 'node:fs/promises'
import { ImportError } from './import-error'

export interface SourceFileKind {
  /** What the file is, in words: 'IDX images file', 'SVHN .mat file', … */
  what: string
  /** A file name of this kind, for the messages (e.g. train-images-idx3-ubyte.gz). */
  example: string
  /** A full path to show when the file is missing; defaults to the example. */
  examplePath?: string
  /** Names of such files, listed when a folder is given instead. */
  names: RegExp
}

/**
 * The path names a regular file, or the error says what it names instead and which file to choose: a folder
 * is the usual slip, and the files of the right kind in it are listed.
 */
export async function checkSourceFile(file: string, kind: SourceFileKind): Promise<void> {
  let info
  try {
    info = await fs.stat(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT')
      throw new ImportError('SOURCE_NOT_FOUND', `The ${kind.what} ${file} does not exist. Check the path (e.g. ${kind.examplePath ?? kind.example}).`)
    throw new ImportError('SOURCE_UNREADABLE', `The ${kind.what} ${file} cannot be opened (${code ?? (error as Error).message}).`)
  }
  if (info.isFile()) return
  if (info.isDirectory()) {
    const inside = (await fs.readdir(file).catch(() => [] as string[])).filter((name) => kind.names.test(name)).sort()
    const listed = inside.length > 0 ? ` It holds ${inside.slice(0, 6).join(', ')}${inside.length > 6 ? ', …' : ''}.` : ''
    throw new ImportError('SOURCE_NOT_A_FILE', `${file} is a folder; choose the ${kind.what} in it (e.g. ${kind.example}).${listed}`)
  }
  throw new ImportError('SOURCE_NOT_A_FILE', `${file} is not a regular file; choose the ${kind.what} itself (e.g. ${kind.example}).`)
}
