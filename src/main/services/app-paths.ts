import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * Where the app's own files are. The same code runs from TypeScript sources (tests), from the built
 * `out/main` (CLI, web mode) and from inside Electron, so paths are found from the package root rather
 * than from wherever a bundler put the current chunk.
 */
export function appRoot(from: string = __dirname): string {
  let dir = from
  for (;;) {
    const manifest = path.join(dir, 'package.json')
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'dcgan-studio') return dir
      } catch {
        // Not ours or unreadable: keep walking up.
      }
    }
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`Cannot find the dcgan-studio package root above ${from}`)
    dir = parent
  }
}

export const builtPaths = {
  engine: (): string => path.join(appRoot(), 'out', 'main', 'engine.js'),
  cli: (): string => path.join(appRoot(), 'out', 'main', 'cli.js'),
  renderer: (): string => path.join(appRoot(), 'out', 'renderer'),
  preload: (): string => path.join(appRoot(), 'out', 'preload', 'index.js')
}

export function packageVersion(name: string): string | null {
  try {
    const file = require.resolve(`${name}/package.json`, { paths: [appRoot()] })
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? null
  } catch {
    return null
  }
}
