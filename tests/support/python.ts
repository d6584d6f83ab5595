import { spawnSync } from 'node:child_process'
import { requireSystemPackage } from './system-packages'

/**
 * Debian's python3 (with python3-numpy and python3-scipy from scripts/system-packages.mjs), for tests that
 * write research files the way the research world writes them. Not the `python3` on PATH, which may be
 * another installation without those packages.
 */
const PYTHON = '/usr/bin/python3'

export type PythonNeeds = 'numpy' | 'scipy'

/**
 * Runs `script` with `args` as sys.argv[1:] and returns what it printed. Fails the test with python's own
 * error when the script fails.
 */
export function runPython(script: string, args: readonly string[] = [], needs: readonly PythonNeeds[] = ['numpy']): string {
  if (needs.includes('numpy')) requireSystemPackage('python3-numpy')
  if (needs.includes('scipy')) requireSystemPackage('python3-scipy')
  const result = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (result.error) throw new Error(`${PYTHON} could not be run: ${result.error.message}`)
  if (result.status !== 0) throw new Error(`The python script failed (exit ${result.status}):\n${result.stderr}`)
  return result.stdout
}
