// `npm test`: the whole suite (unit, integration, end-to-end in headless Chromium) with vitest, then one
// closing line "N passed, N failed" that any CI can read. Extra arguments go to vitest
// (e.g. `npm test -- tests/e2e`). Before any test starts it installs the Debian packages the suite needs
// (scripts/system-packages.mjs, one at a time) and builds the app.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildIfNeeded } from './build-if-needed.mjs'
import { ensureSystemPackages } from './system-packages.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// Missing packages are reported here and again by each test that needs one; the rest of the suite still runs.
ensureSystemPackages()
// Build once, before any test runs, so no test file rebuilds out/ while another runs the app from it.
try {
  buildIfNeeded()
} catch (err) {
  process.stderr.write(`${err.message}\n`)
  process.stdout.write('\n0 passed, 1 failed\n')
  process.exit(1)
}
const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-test-')), 'results.json')
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs')
const result = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit'
})
let summary = null
try {
  const data = JSON.parse(fs.readFileSync(report, 'utf8'))
  // A test file that fails to load has no failed tests of its own; count it, so a red run never reads "0 failed".
  const brokenFiles = (data.testResults ?? []).filter(
    (file) => file.status === 'failed' && (file.assertionResults ?? []).every((t) => t.status !== 'failed')
  ).length
  summary = { passed: data.numPassedTests, failed: data.numFailedTests + brokenFiles, skipped: data.numPendingTests + data.numTodoTests }
} catch {
  // No report: vitest itself failed before running tests; its own output says why.
}
if (summary) {
  process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed${summary.skipped ? `, ${summary.skipped} skipped` : ''}\n`)
} else {
  process.stdout.write('\n0 passed, 1 failed\n')
}
process.exit(result.status ?? 1)
