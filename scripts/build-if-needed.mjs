// Builds the app (electron-vite: main + engine + CLI, preload, renderer) when the sources are newer than the
// last build. Used by `npm start`, the `dcgan-studio` bin and the test setup, so none of them runs stale code.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const stamp = path.join(root, 'out', '.build-stamp')
const inputs = ['src', 'resources', 'electron.vite.config.ts', 'package.json', 'package-lock.json']

function newestMtime(target) {
  let stat
  try {
    stat = fs.statSync(target)
  } catch {
    return 0
  }
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of fs.readdirSync(target)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue
    newest = Math.max(newest, newestMtime(path.join(target, entry)))
  }
  return newest
}

export function buildIsStale() {
  let built
  try {
    built = fs.statSync(stamp).mtimeMs
  } catch {
    return true
  }
  return inputs.some((input) => newestMtime(path.join(root, input)) > built)
}

const lockDir = path.join(root, 'node_modules', '.cache', 'dcgan-build.lock')

/** One build at a time: parallel test runs would otherwise wipe out/ under each other's feet. */
function withBuildLock(fn) {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true })
  const deadline = Date.now() + 5 * 60_000
  for (;;) {
    try {
      fs.mkdirSync(lockDir)
      break
    } catch {
      // A lock older than the deadline belongs to a build that died; take it over.
      const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > 5 * 60_000 || Date.now() > deadline) {
        fs.rmSync(lockDir, { recursive: true, force: true })
        continue
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200)
    }
  }
  try {
    return fn()
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true })
  }
}

export function buildIfNeeded(options = {}) {
  if (!buildIsStale()) return false
  return withBuildLock(() => build(options))
}

function build({ quiet = false }) {
  // Another process may have finished the same build while we waited for the lock.
  if (!buildIsStale()) return false
  if (!quiet) process.stderr.write('Building DCGAN Studio (electron-vite build)…\n')
  const cli = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: quiet ? 'pipe' : ['ignore', 2, 2], encoding: 'utf8' })
  if (result.status !== 0) {
    const output = quiet ? `\n${result.stdout ?? ''}${result.stderr ?? ''}` : ''
    throw new Error(`The build failed (electron-vite build exited with ${result.status}).${output}`)
  }
  fs.writeFileSync(stamp, new Date().toISOString())
  return true
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    buildIfNeeded()
  } catch (err) {
    process.stderr.write(`${err.message}\n`)
    process.exit(1)
  }
}
