import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * End-to-end tests drive Debian's Chromium (playwright-core cannot download a browser here). When it is
 * missing and we are root, install it with apt-get; otherwise fail saying how to install it.
 */
export function ensureChromium(): string {
  if (fs.existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Chromium is needed for the end-to-end tests but ${CHROMIUM_PATH} does not exist. ` +
        'Install it with "sudo apt-get install -y chromium" (Debian/Ubuntu) or set CHROMIUM_PATH to a Chromium binary.'
    )
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env })
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium, but ${CHROMIUM_PATH} is still missing`)
  return CHROMIUM_PATH
}

/**
 * Headless Chromium with the flags this closed network needs (no background connections). playwright gives
 * every launch a fresh, empty profile of its own.
 */
export async function launchChromium(): Promise<Browser> {
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
      '--disable-sync'
    ]
  })
}
