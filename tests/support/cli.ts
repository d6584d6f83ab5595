import { type ChildProcess, spawn } from 'node:child_process'
import * as readline from 'node:readline'
import { builtPaths } from '../../src/main/services/app-paths'

export interface CliResult {
  code: number | null
  lines: Record<string, unknown>[]
  stderr: string
}

/** Runs the built `dcgan-studio` CLI with --json and collects its JSON lines. */
export function runCli(
  args: string[],
  options: { onLine?: (line: Record<string, unknown>, child: ChildProcess) => void; env?: NodeJS.ProcessEnv } = {}
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtPaths.cli(), ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env })
    const lines: Record<string, unknown>[] = []
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    readline.createInterface({ input: child.stdout }).on('line', (text) => {
      let line: Record<string, unknown>
      try {
        line = JSON.parse(text) as Record<string, unknown>
      } catch {
        reject(new Error(`CLI printed a line that is not JSON in --json mode: ${text}`))
        return
      }
      lines.push(line)
      options.onLine?.(line, child)
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, lines, stderr }))
  })
}
