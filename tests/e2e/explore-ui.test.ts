import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { openStudioPage, type StudioPage } from '../support/studio-page'
import type { RunningServer } from '../support/studio-server'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

// Exploring a model (trained here with the real engine) in web mode, in headless Chromium: pick exemplars,
// run the arithmetic and see its 9 result images; open the latent map and select a sample.
describe('exploring a trained model in the UI', () => {
  let studio: StudioPage
  let server: RunningServer
  let page: Page

  beforeAll(async () => {
    const { library } = await trainTinyRun({ images: 24, seed: 5, steps: 20 })
    studio = await openStudioPage(library)
    ;({ server, page } = studio)
    await page.getByTestId('nav-explore').click()
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('picks three exemplars per slot, computes A − B + C and shows the result with 8 neighbours', async () => {
    await page.getByTestId('explore-generate').click()
    const samples = page.getByTestId('explore-samples').getByRole('button')
    await expect.poll(() => samples.count()).toBe(16)
    for (const [slot, first] of [
      ['a', 0],
      ['b', 3],
      ['c', 6]
    ] as const) {
      for (let i = first; i < first + 3; i++) await samples.nth(i).click()
      await page.getByTestId(`add-${slot}`).click()
    }
    await page.getByTestId('explore-tab-arithmetic').click()
    for (const slot of ['a', 'b', 'c']) expect(await page.getByTestId(`slot-${slot}`).getAttribute('data-count')).toBe('3')
    await page.getByTestId('arithmetic-run').click()
    const grid = page.getByTestId('arithmetic-grid')
    await grid.waitFor()
    expect(await grid.locator('canvas').count()).toBe(9)
    expect(await page.getByRole('img', { name: 'pixel result' }).count()).toBe(1)
  })

  it('renders a walk between selected samples, lerp and slerp side by side', async () => {
    await page.getByTestId('explore-tab-walk').click()
    const samples = page.getByTestId('explore-samples').getByRole('button')
    await samples.nth(10).click()
    await samples.nth(11).click()
    await page.getByTestId('use-keyframes').click()
    await page.getByTestId('walk-render').click()
    await page.getByTestId('walk-strip-slerp').waitFor()
    expect(await page.getByTestId('walk-strip-lerp').getAttribute('data-frames')).toBe('9')
    await page.getByTestId('walk-scrubber').fill('500')
    await page.getByTestId('walk-scrub-image').waitFor()
  })

  it("shows D's filters, feature maps and guided backprop of the trained vs a random D for the selected sample", async () => {
    await page.getByTestId('explore-tab-features').click()
    const panel = page.getByTestId('features-panel')
    await panel.getByRole('button', { name: "D's first-layer filters" }).click()
    await expect.poll(() => panel.getByTestId('filters-grid').locator('canvas').count()).toBe(8)
    await panel.getByTestId('features-run').click()
    await expect.poll(() => panel.locator('.layer-maps').count()).toBeGreaterThan(3)
    await panel.getByTestId('guided-run').click()
    const guided = panel.getByTestId('guided-result')
    await guided.waitFor()
    for (const label of ['trained D', 'random-init D', 'plain gradient']) expect(await guided.getByRole('img', { name: label }).count()).toBe(1)
  })

  it('opens the latent map and selects a sample in it', async () => {
    await page.getByTestId('explore-tab-map').click()
    const map = page.getByTestId('latent-map')
    await map.waitFor()
    const before = await page.getByTestId('selection-tray').locator('.tray-item').count()
    // Each point of the map is also an (invisible) accessible button, as keyboard users reach them.
    await page.getByRole('button', { name: 'sample 7', exact: true }).dispatchEvent('click')
    await expect.poll(() => map.getAttribute('data-selected-index')).toBe('7')
    await expect.poll(() => page.getByTestId('selection-tray').locator('.tray-item').count()).toBe(before + 1)
    await page.screenshot({ path: `${server.library}/explore.png`, fullPage: true })
    expect(studio.problems).toEqual([])
  })

  it("keeps favourites with the run, not in the browser: they survive the page's storage being cleared", async () => {
    await page.getByTestId('selection-tray').getByTestId('pin').first().click()
    const favourites = page.getByTestId('favourites')
    await expect.poll(() => favourites.getAttribute('data-count')).toBe('1')
    const runId = fs.readdirSync(path.join(server.library, 'runs')).find((d) => !d.startsWith('.')) as string
    const file = path.join(server.library, 'runs', runId, 'favourites.json')
    await expect.poll(() => fs.existsSync(file)).toBe(true)
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { formatVersion: number; samples: { seed: number | null; index: number; z: number[] }[] }
    expect(saved.formatVersion).toBe(1)
    expect(saved.samples).toHaveLength(1)
    expect(saved.samples[0]?.z).toHaveLength(100)
    // Web mode may come back on another port (another origin, other browser storage); the run's file is what counts.
    await page.evaluate('localStorage.clear()')
    await page.reload()
    await page.getByTestId('nav-explore').click()
    await expect.poll(() => page.getByTestId('favourites').getAttribute('data-count')).toBe('1')
  })
})
