// `npm test`: the whole suite (unit, integration, end-to-end in headless Chromium) with vitest, then one
// closing line "N passed, N failed" that any CI can read. Extra arguments go to vitest
// (e.g. `npm test -- tests/e2e`).
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-test-')), 'results.json')
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs')
const result = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' }
)
let summary = null
try {
  const data = JSON.parse(fs.readFileSync(report, 'utf8'))
  summary = { passed: data.numPassedTests, failed: data.numFailedTests + (data.numRuntimeErrorTestSuites ?? 0), skipped: data.numPendingTests + data.numTodoTests }
} catch {
  // No report: vitest itself failed before running tests; its own output says why.
}
if (summary) {
  process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed${summary.skipped ? `, ${summary.skipped} skipped` : ''}\n`)
} else {
  process.stdout.write('\n0 passed, 1 failed\n')
}
process.exit(result.status ?? 1)
