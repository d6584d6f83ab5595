import { type Browser, chromium } from 'playwright-core'
import { installHint, isInstalled, systemPackage } from '../../scripts/system-packages.mjs'
import { UI_WAIT_MS } from './timeouts'

/**
 * A Debian package a test needs (listed in scripts/system-packages.mjs, which `npm test` installs once before any
 * test starts). Tests never install anything: a missing package fails the test with what to do.
 */
export function requireSystemPackage(name: string): string {
  const pkg = systemPackage(name)
  if (!isInstalled(pkg)) {
    throw new Error(
      `This test needs the Debian package ${pkg.name} (${pkg.probe} is missing). "npm test" installs it when run as root; otherwise run "${installHint(pkg)}".`
    )
  }
  return pkg.probe
}

/** Debian's Chromium (playwright-core cannot download a browser here); CHROMIUM_PATH overrides. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? requireSystemPackage('chromium')
}

/**
 * Headless Chromium with the flags this closed network needs (no background connections). playwright gives
 * every launch a fresh, empty profile of its own.
 */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
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
  // Every page waits as long as the suite's polls do (playwright's default of 30 s fails on a busy machine).
  const newPage = browser.newPage.bind(browser)
  browser.newPage = async (options) => {
    const page = await newPage(options)
    page.setDefaultTimeout(UI_WAIT_MS)
    return page
  }
  return browser
}
