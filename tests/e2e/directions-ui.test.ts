import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { canvasPixels, meanDifference } from '../support/pixels'
import { tempDir } from '../support/fixtures'
import { importedPyTorchRun } from '../support/imported-model'
import { openStudioPage, type StudioPage } from '../support/studio-page'

beforeAll(() => ensureBuilt(), 300_000)

/** Finds directions with small settings on the model chosen, and waits for the list. */
async function findDirections(page: Page, samples: number, top: number): Promise<Locator> {
  const panel = page.getByTestId('directions-panel')
  await panel.getByTestId('directions-samples').fill(String(samples))
  await panel.getByTestId('directions-top').fill(String(top))
  await panel.getByTestId('directions-find').click()
  await expect.poll(() => panel.getByTestId('direction').count()).toBe(top)
  return panel
}

// Directions without labels in web mode, in headless Chromium: on the demo model an empty library starts with,
// and on a model trained by PyTorch's main.py and imported.
describe('the Directions panel', () => {
  let studio: StudioPage
  let page: Page
  let library: string
  let imported: string

  beforeAll(async () => {
    library = tempDir('directions-ui')
    studio = await openStudioPage(library, { width: 1400, height: 900 })
    page = studio.page
    imported = await importedPyTorchRun(library)
    await page.getByTestId('nav-explore').click()
    await page.getByTestId('explore-run').selectOption('procedural-faces-demo-dbd50b')
    await page.getByTestId('explore-generate').click()
    await page.getByTestId('explore-samples').getByRole('button').nth(15).waitFor()
    await page.getByTestId('explore-samples').getByRole('button').nth(3).click()
    await page.getByTestId('explore-tab-directions').click()
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('finds directions as a job, then moves the selected sample with a slider per component and shows a −3σ…+3σ strip each', async () => {
    // Too few samples is said at once, and Find waits for settings that can work.
    const settings = page.getByTestId('directions-panel')
    await settings.getByTestId('directions-samples').fill('50')
    await expect.poll(() => settings.locator('.error').textContent()).toMatch(/samples: at least 100 samples/)
    expect(await settings.getByTestId('directions-find').isDisabled()).toBe(true)
    const panel = await findDirections(page, 1000, 6)
    expect(await panel.getByTestId('directions-summary').textContent()).toMatch(/^6 components of g_relu0 \(4×4×128\) at checkpoint 5500, from 1,000 samples/)
    const strips = panel.getByTestId('direction-strip')
    await expect.poll(() => strips.count()).toBe(6)
    expect(await strips.first().getAttribute('data-frames')).toBe('7')

    const original = await canvasPixels(panel.getByTestId('directions-original').locator('canvas'))
    const moved = panel.getByTestId('directions-moved').locator('canvas')
    await expect.poll(async () => meanDifference(await canvasPixels(moved), original)).toBe(0)
    await panel.getByTestId('direction-slider').nth(0).fill('2.5')
    await expect.poll(async () => meanDifference(await canvasPixels(moved), original)).toBeGreaterThan(2)
    // The strip's middle picture is the sample itself; clicking its −3σ end sets the slider there.
    expect(meanDifference(await canvasPixels(strips.nth(1).locator('canvas').nth(3)), original)).toBe(0)
    await strips.nth(1).getByRole('button').first().click()
    expect(await panel.getByTestId('direction-slider').nth(1).inputValue()).toBe('-3')
    await panel.getByTestId('directions-reset').click()
    await expect.poll(async () => meanDifference(await canvasPixels(moved), original)).toBe(0)
  })

  it('names a component and saves it as a concept, which the concepts panel then applies', async () => {
    const panel = page.getByTestId('directions-panel')
    await panel.getByTestId('direction-name').nth(0).fill('turn head')
    await panel.getByTestId('direction-save').nth(0).click()
    await expect.poll(() => panel.getByTestId('directions-notice').textContent()).toMatch(/Saved "turn head" as a concept/)
    await page.getByTestId('explore-tab-arithmetic').click()
    await expect.poll(() => page.getByTestId('concept-select').locator('option').allTextContents()).toContain('turn head (direction)')
    await page.getByTestId('explore-tab-directions').click()
  })

  it('saves the strips as a figure with its record', async () => {
    const panel = page.getByTestId('directions-panel')
    const file = path.join(tempDir('directions-ui-out'), 'strips.png')
    await panel.getByTestId('figure-path').fill(file)
    await panel.getByTestId('save-figure').click()
    await expect.poll(() => panel.getByTestId('figure-saved').textContent()).toMatch(/^Saved 944×808 to /)
    const meta = await sharp(file).metadata()
    expect([meta.width, meta.height]).toEqual([(7 * 32 + 6 * 2) * 4, (6 * 32 + 5 * 2) * 4])
    expect(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'))).toMatchObject({ operation: 'directions', run: { checkpointStep: 5500 } })
  })

  it('shows kept directions again at once after a reload, without finding them again', async () => {
    await page.reload()
    await page.getByTestId('nav-explore').click()
    await page.getByTestId('explore-run').selectOption('procedural-faces-demo-dbd50b')
    await page.getByTestId('explore-tab-directions').click()
    const panel = page.getByTestId('directions-panel')
    await panel.getByTestId('directions-samples').fill('1000')
    await panel.getByTestId('directions-top').fill('6')
    await expect.poll(() => panel.getByTestId('directions-summary').textContent()).toMatch(/^6 components of g_relu0/)
    expect(await panel.getByTestId('job').count()).toBe(0)
  })

  it('finds directions of the imported PyTorch model too', async () => {
    await page.getByTestId('explore-run').selectOption(imported)
    await page.getByTestId('explore-generate').click()
    await page.getByTestId('explore-samples').getByRole('button').nth(2).click()
    await page.getByTestId('explore-tab-directions').click()
    const panel = await findDirections(page, 300, 3)
    expect(await panel.getByTestId('directions-summary').textContent()).toMatch(/^3 components of g_relu0 \(4×4×32\) at checkpoint 0/)
    await expect.poll(() => panel.getByTestId('direction-strip').count()).toBe(3)
    expect(studio.problems).toEqual([])
  })
})
