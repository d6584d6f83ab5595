import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

// One formatting for the whole project (.prettierrc.json, .prettierignore), checked as part of the suite so a
// change that is not formatted fails here, with the files named; `npm run format` rewrites them.
const root = path.resolve(__dirname, '../..')
const prettier = path.join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs')

function runPrettierCheck(): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prettier, '--check', '--log-level', 'warn', '.'], { cwd: root })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', reject)
    child.once('close', (status) => resolve({ status, output }))
  })
}

describe('format', () => {
  it('prettier finds every file formatted (npm run format fixes what it names)', async () => {
    const { status, output } = await runPrettierCheck()
    expect(output.trim()).toBe('')
    expect(status).toBe(0)
  })
})
