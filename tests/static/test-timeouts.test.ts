import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { UI_WAIT_MS } from '../support/timeouts'

// A test must pass on a busy machine (issue 12: a test timed out at 60 s while apt-get ran beside it). The
// suite's limits (vitest.config.ts: 300 s per test and hook; UI_WAIT_MS for polls and page waits) are sized for
// that; a test that sets a shorter limit of its own only fails sooner when the machine is busy.
const ROOT = path.resolve(__dirname, '../..')
const SUITE_LIMIT_MS = 300_000

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'fixtures' ? [] : testFiles(full)
    return /\.test\.tsx?$/.test(entry.name) ? [full] : []
  })
}

describe('test time limits', () => {
  it('are never set below the suite-wide ones', () => {
    const short: string[] = []
    for (const file of [...testFiles(path.join(ROOT, 'tests')), ...testFiles(path.join(ROOT, 'src'))]) {
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const where = `${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`
          // { timeout: N } on a poll or a wait for the page
          for (const m of line.matchAll(/\btimeout: ([0-9_]+)/g)) if (Number(m[1]?.replace(/_/g, '')) < UI_WAIT_MS) short.push(where)
          // it(…, fn, N) / beforeAll(fn, N): a limit after the callback
          for (const m of line.matchAll(/^\s*\}\)?, ([0-9]+_000)\)\s*$/g)) if (Number(m[1]?.replace(/_/g, '')) < SUITE_LIMIT_MS) short.push(where)
        })
    }
    expect(short).toEqual([])
  })
})
