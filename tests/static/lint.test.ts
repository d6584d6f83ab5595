import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

// ESLint over the whole project as part of the suite (eslint.config.mjs: typescript-eslint's strict
// type-checked rules and React's hook rules). Type-aware linting builds both TypeScript programs: about 1.5
// minutes of one core, up to 2.5 minutes while other test files use the second of our two cores.
const root = path.resolve(__dirname, '../..')
const eslint = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js')

function runEslint(): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [eslint, '.', '--max-warnings', '0'], { cwd: root, timeout: 470_000 })
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
  }, 480_000)
})
