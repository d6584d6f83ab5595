import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/system-packages'
import { tempDir, writeBadFiles, writeDiscImages } from '../support/fixtures'
import { type RunningServer, startStudioServer } from '../support/studio-server'
import { ensureBuilt } from '../support/build'

// A user's path through web mode in headless Chromium: import a folder (with bad files in it), train a tiny
// model from the Train form, watch the sample timeline grow, then branch the run from a checkpoint.

beforeAll(() => ensureBuilt(), 300_000)

describe('importing and training from the UI', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  const source = tempDir('ui-source')
  const problems: string[] = []

  beforeAll(async () => {
    const files = await writeDiscImages(source, 20, 7)
    await writeBadFiles(source, files[0] as string)
    server = await startStudioServer()
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    page.on('pageerror', (err) => problems.push(err.message))
    await page.goto(server.urlWithToken)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('imports a folder with a progress bar and shows thumbnails and the skipped-files report', async () => {
    await page.getByTestId('nav-datasets').click()
    await page.getByTestId('import-path').fill(source)
    await page.getByTestId('import-size').selectOption('32')
    await page.getByTestId('import-button').click()
    await page.locator('[data-testid="job"][data-job-kind="import"][data-job-state="done"]').waitFor()
    const detail = page.getByTestId('dataset-detail')
    await detail.waitFor()
    expect(await detail.getByTestId('sample-grid').getAttribute('data-count')).toBe('20')
    const report = await detail.getByTestId('skipped-report').textContent()
    expect(report).toMatch(/4 files not imported/)
    expect(report).toMatch(/truncated\.jpg.*(truncated|corrupt)/)
    expect(report).toMatch(/notes\.png.*not an image/)
    expect(report).toMatch(/empty\.jpg.*zero-byte/)
    expect(report).toMatch(/zz-copy-of-disc-0\.png.*duplicate of nested\/disc-0\.png/)
  })

  it('trains from the Train form and the sample timeline grows until the run completes', async () => {
    await page.getByTestId('nav-train').click()
    await page.getByTestId('run-batch').fill('8')
    await page.getByTestId('run-width').fill('8')
    await page.getByTestId('run-steps').fill('30')
    await page.getByTestId('run-checkpoint-every').fill('10')
    await page.getByTestId('run-sample-every').fill('5')
    await page.getByTestId('run-create').click()
    const monitor = page.getByTestId('run-monitor')
    await monitor.waitFor()
    const timeline = monitor.getByTestId('sample-timeline')
    await timeline.waitFor()
    const early = Number(await timeline.getAttribute('data-steps'))
    await expect.poll(() => monitor.getAttribute('data-status')).toBe('completed')
    const late = Number(await timeline.getAttribute('data-steps'))
    expect(late).toBeGreaterThan(early)
    expect(late).toBeGreaterThanOrEqual(6)
    // The newest grid is shown, decoded from the PNG the trainer wrote.
    await expect
      .poll(() => monitor.getByTestId('timeline-image').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(32)
    // Scrub back to the first grid.
    await monitor.getByTestId('timeline-slider').fill('0')
    expect(await timeline.textContent()).toMatch(/step 0|step 5/)
    expect(await monitor.getByTestId('chart-losses').locator('polyline').count()).toBe(2)
    await page.screenshot({ path: `${server.library}/train.png`, fullPage: true })
  })

  it('lists the run with its checkpoints and branches a new run from one', async () => {
    await page.getByTestId('nav-runs').click()
    const list = page.getByTestId('run-list')
    await list.locator('button').first().click()
    const checkpoints = page.getByTestId('checkpoint-list')
    await expect.poll(() => checkpoints.locator('tr').count()).toBe(3)
    // The library also holds the demo model, installed when it was first opened empty.
    const before = await list.locator('li').count()
    await checkpoints.locator('tr').filter({ hasText: 'step 20' }).getByRole('button', { name: 'Branch' }).click()
    await expect.poll(() => list.locator('li').count()).toBe(before + 1)
    expect(await list.textContent()).toMatch(/branch at 20/)
    expect(problems).toEqual([])
  })
})
