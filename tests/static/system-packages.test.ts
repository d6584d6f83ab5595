import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SYSTEM_PACKAGES } from '../../scripts/system-packages.mjs'

// `npm test` installs the Debian packages the suite needs once, one at a time, before any test worker starts
// (scripts/system-packages.mjs). A test that installed something itself would race the others for dpkg's lock,
// as two did on a fresh machine ("Could not get lock /var/lib/dpkg/lock-frontend").
const ROOT = path.resolve(__dirname, '../..')

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'fixtures' ? [] : files(full)
    return /\.(ts|tsx|mjs|js)$/.test(entry.name) ? [full] : []
  })
}

const testCode = [...files(path.join(ROOT, 'tests')), ...files(path.join(ROOT, 'src')).filter((f) => f.includes('.test.'))]

describe('system packages for the tests', () => {
  it('are installed by npm test, never by a test', () => {
    const installers = /\b(apt-get|apt|dpkg|pip3?|npx playwright install)\b['"]?\s*,?\s*\[?['"]?(install|-i)\b/
    const offenders = testCode.filter((file) => installers.test(fs.readFileSync(file, 'utf8'))).map((f) => path.relative(ROOT, f))
    expect(offenders).toEqual([])
  })

  it('are each asked for by name through requireSystemPackage, and listed for npm test to install', () => {
    const listed = new Set(SYSTEM_PACKAGES.map((p) => p.name))
    const asked = testCode.flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/requireSystemPackage\('([^']+)'\)/g)].map((m) => m[1] as string))
    expect(asked.length).toBeGreaterThan(0)
    expect(asked.filter((name) => !listed.has(name))).toEqual([])
    // Every package the list installs is one a test needs (Chromium through launchChromium).
    for (const name of listed) expect(asked, name).toContain(name)
  })
})
