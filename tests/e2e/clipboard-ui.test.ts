import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { openStudioPage, type StudioPage } from '../support/studio-page'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

// "Copy z" and "Paste z…" in Explore, in web mode in headless Chromium: the z goes to the clipboard — through
// the Clipboard API on localhost, and through the copy command where the page has no Clipboard API (plain
// http from another machine) — and comes back in through the app's own dialog, checked before it is used.
describe('copying a z out and pasting it back', () => {
  let studio: StudioPage
  let page: Page

  beforeAll(async () => {
    const { library } = await trainTinyRun({ images: 16, seed: 3, steps: 10 })
    studio = await openStudioPage(library, { width: 1400, height: 900 })
    page = studio.page
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(studio.server.url).origin })
  })

  afterAll(async () => {
    await studio?.close()
  })

  async function selectFirstSample(target: Page): Promise<void> {
    await target.getByTestId('nav-explore').click()
    await target.getByTestId('explore-generate').click()
    const samples = target.getByTestId('explore-samples').getByRole('button')
    await samples.nth(15).waitFor()
    await samples.first().click()
  }

  const readClipboard = (): Promise<string> => page.evaluate<string>('navigator.clipboard.readText()')

  it("copies the selected sample's z with the Clipboard API", async () => {
    await page.evaluate('navigator.clipboard.writeText("")')
    await selectFirstSample(page)
    await page.getByTestId('selection-tray').getByRole('button', { name: 'z', exact: true }).first().click()
    await expect.poll(() => page.getByTestId('selection-tray').textContent()).toMatch(/Copied the z of sample 0 of seed 0/)
    const z = JSON.parse(await readClipboard()) as number[]
    expect(z).toHaveLength(100)
    expect(z.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true)
  })

  it('still copies where the page has no Clipboard API (web mode over plain http from another machine)', async () => {
    const context = await studio.browser.newContext({ viewport: { width: 1400, height: 900 } })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(studio.server.url).origin })
    const insecure = await context.newPage()
    const problems: string[] = []
    insecure.on('pageerror', (err) => problems.push(err.message))
    // What a non-secure context looks like to the page: no navigator.clipboard at all.
    await insecure.addInitScript('Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined })')
    await insecure.goto(studio.server.urlWithToken)
    expect(await insecure.evaluate('typeof navigator.clipboard')).toBe('undefined')
    await page.evaluate('navigator.clipboard.writeText("")')
    await selectFirstSample(insecure)
    await insecure.getByTestId('selection-tray').getByRole('button', { name: 'z', exact: true }).first().click()
    await expect.poll(() => insecure.getByTestId('selection-tray').textContent()).toMatch(/Copied the z of sample 0 of seed 0/)
    expect(JSON.parse(await readClipboard())).toHaveLength(100)
    expect(problems).toEqual([])
    await context.close()
  })

  it('pastes a z back through the dialog, which says what is wrong with a bad one', async () => {
    const copied = await readClipboard()
    const tray = page.getByTestId('selection-tray')
    const before = await tray.locator('.tray-item').count()
    await tray.getByRole('button', { name: 'Paste z…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Paste a z vector' })
    await dialog.waitFor()
    await dialog.getByTestId('dialog-input').fill('[0.1, 0.2, "x"]')
    await page.keyboard.press('Enter')
    expect(await dialog.getByTestId('dialog-error').textContent()).toBe('That is not a z vector: number 3 is "x", not a finite number.')
    await dialog.getByTestId('dialog-input').fill('[0.1, 0.2]')
    expect(await dialog.getByTestId('dialog-error').textContent()).toBe('That z has 2 numbers; this model takes 100.')
    await dialog.getByTestId('dialog-input').fill(copied)
    expect(await dialog.getByTestId('dialog-error').count()).toBe(0)
    await dialog.getByTestId('dialog-ok').click()
    await dialog.waitFor({ state: 'detached' })
    await expect.poll(() => tray.locator('.tray-item').count()).toBe(before + 1)
    expect(await tray.getByRole('img', { name: 'pasted z' }).count()).toBe(1)
    expect(studio.problems).toEqual([])
  })
})
