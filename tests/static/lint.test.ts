import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

// ESLint over the whole project as part of the suite (eslint.config.mjs: typescript-eslint's strict
// type-checked rules and React's hook rules). Type-aware linting builds both TypeScript programs and runs on
// one core: 1.5 minutes on a quiet 2-core machine, 2.5 while other test files use the other core, and 6 when
// measured on a dev machine shared with other work (load 14); the limit leaves room beyond that.
const root = path.resolve(__dirname, '../..')
const eslint = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js')

function runEslint(): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [eslint, '.', '--max-warnings', '0'], { cwd: root, timeout: 890_000 })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', reject)
    child.once('close', (status) => resolve({ status, output }))
  })
}

describe('lint', () => {
  it('ESLint finds nothing in the project', async () => {
    const { status, output } = await runEslint()
    expect(output.trim()).toBe('')
    expect(status).toBe(0)
  }, 900_000)
})
