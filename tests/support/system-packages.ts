import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

const CHROMIUM_PATH = '/usr/bin/chromium'

/**
 * Some tests need a Debian package (Chromium for the browser tests, dataset-fashion-mnist for the IDX
 * import): when it is missing and we are root, install it with apt-get; otherwise fail saying how to
 * install it. Nothing relies on what someone installed by hand.
 */
export function ensureDebianPackage(pkg: string, probe: string): string {
  if (fs.existsSync(probe)) return probe
  if (process.getuid?.() !== 0) {
    throw new Error(`This test needs the Debian package ${pkg} (${probe} is missing). Install it with "sudo apt-get install -y ${pkg}".`)
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env })
  if (!fs.existsSync(probe)) throw new Error(`apt-get installed ${pkg}, but ${probe} is still missing`)
  return probe
}

/** Debian's Chromium (playwright-core cannot download a browser here); CHROMIUM_PATH overrides. */
export function ensureChromium(): string {
  return process.env.CHROMIUM_PATH ?? ensureDebianPackage('chromium', CHROMIUM_PATH)
}

/**
 * Headless Chromium with the flags this closed network needs (no background connections). playwright gives
 * every launch a fresh, empty profile of its own.
 */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const executablePath = ensureChromium()
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs
    ]
  })
}
