import type { Browser, Page } from 'playwright-core'
import { type RunningServer, startStudioServer } from './studio-server'
import { launchChromium } from './system-packages'

export interface StudioPage {
  server: RunningServer
  browser: Browser
  page: Page
  /** Uncaught errors in the page; a test ends by expecting none. */
  problems: string[]
  close(): Promise<void>
}

/** Web mode on `library` and headless Chromium on its page, as the end-to-end tests use them. */
export async function openStudioPage(library: string, viewport = { width: 1500, height: 1100 }): Promise<StudioPage> {
  const server = await startStudioServer([], library)
  const browser = await launchChromium()
  const page = await browser.newPage({ viewport })
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(err.message))
  await page.goto(server.urlWithToken)
  return {
    server,
    browser,
    page,
    problems,
    close: async () => {
      await browser.close()
      await server.stop()
    }
  }
}
