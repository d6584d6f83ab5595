import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExportRecord } from '../../src/shared/api/export'
import { ensureBuilt } from '../support/build'
import { tempDir } from '../support/fixtures'
import { importedPyTorchRun } from '../support/imported-model'
import { openStudioPage, type StudioPage } from '../support/studio-page'
import { probe } from '../support/video-probe'

beforeAll(() => ensureBuilt(), 300_000)

/** The page's canvas, as far as this test reads it (the tests compile without the DOM's types). */
interface PageCanvas {
  toDataURL(): string
}

// The Latent grid tab in web mode and headless Chromium, on the demo model an empty library starts with: four
// selected samples become the corners, the grid renders, a cell joins the selection, and the grid is saved as
// a PNG figure and as a video sweeping its rows (its progress bar reaching 100 %).
describe('the Latent grid tab', () => {
  let studio: StudioPage
  let page: Page
  const out = tempDir('grid-ui-out')
  const library = tempDir('grid-ui-library')

  beforeAll(async () => {
    studio = await openStudioPage(library, { width: 1400, height: 900 })
    page = studio.page
    await page.getByTestId('nav-explore').click()
    await page.getByTestId('explore-samples').getByRole('button').nth(15).waitFor()
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('takes the first four selected samples as the corners and renders the grid between them', async () => {
    await page.getByTestId('explore-tab-grid').click()
    await expect.poll(() => page.getByTestId('grid-panel').textContent()).toContain('Use as grid corners')
    const samples = page.getByTestId('explore-samples').getByRole('button')
    for (const i of [0, 3, 6, 9, 12]) await samples.nth(i).click()
    await page.getByTestId('use-grid-corners').click()
    for (const corner of ['top-left', 'top-right', 'bottom-left', 'bottom-right']) {
      await page.getByTestId(`grid-corner-${corner}`).getByRole('img').waitFor()
    }
    await page.getByTestId('grid-columns').fill('4')
    await page.getByTestId('grid-rows').fill('3')
    const cells = page.getByTestId('grid-cells')
    await expect.poll(() => cells.getAttribute('data-columns')).toBe('4')
    await expect.poll(() => cells.getAttribute('data-rows')).toBe('3')
    expect(await cells.getByRole('button').count()).toBe(12)
    // The corner cells are the corner samples: the same pixels as the selection's tiles.
    const pixels = (locator: ReturnType<Page['getByTestId']>): Promise<string> => locator.locator('canvas').evaluate((canvas: PageCanvas) => canvas.toDataURL())
    expect(await pixels(page.getByTestId('grid-cell-0'))).toBe(await pixels(page.getByTestId('grid-corner-top-left')))
    expect(await pixels(page.getByTestId('grid-cell-11'))).toBe(await pixels(page.getByTestId('grid-corner-bottom-right')))
    expect(await pixels(page.getByTestId('grid-cell-1'))).not.toBe(await pixels(page.getByTestId('grid-cell-0')))
  })

  it('adds a clicked cell to the selection', async () => {
    const tray = page.getByTestId('selection-tray')
    const before = Number(await tray.locator('h2 .muted').textContent())
    await page.getByTestId('grid-cell-5').click()
    await expect.poll(async () => Number(await tray.locator('h2 .muted').textContent())).toBe(before + 1)
  })

  it('saves the grid as a PNG figure with its record', async () => {
    const file = path.join(out, 'grid.png')
    await page.getByTestId('figure-path').fill(file)
    await page.getByTestId('save-figure').click()
    await page.getByTestId('figure-saved').waitFor()
    // 4 × 3 cells of 32 px, 2 px apart, a 2 px margin for the corners' frames, all at scale 4.
    expect(await sharp(file).metadata()).toMatchObject({ width: (4 * 32 + 3 * 2 + 4) * 4, height: (3 * 32 + 2 * 2 + 4) * 4 })
    const record = ExportRecord.parse(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')))
    expect(record.operation).toBe('grid')
    expect(record.request).toMatchObject({ columns: 4, rows: 3, mode: 'slerp', scale: 4, markCorners: true })
  })

  it('exports the video sweeping the rows, its progress bar reaching 100 %', async () => {
    await page.getByTestId('grid-export-video').click()
    const dialog = page.getByTestId('grid-video-dialog')
    await dialog.waitFor()
    await dialog.getByTestId('grid-video-format').selectOption('gif')
    await dialog.getByTestId('grid-video-frames').fill('2')
    await dialog.getByTestId('grid-video-size').fill('64')
    const file = path.join(out, 'grid.gif')
    await dialog.getByTestId('grid-video-path').fill(file)
    await dialog.getByTestId('grid-video-start').click()
    const job = dialog.getByTestId('job')
    await expect.poll(() => job.getAttribute('data-job-state')).toBe('done')
    expect(await job.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100')
    expect(await dialog.getByTestId('grid-video-result').textContent()).toContain(file)
    // 12 cells, 2 frames from each to the next, and the last cell: 23 frames.
    expect(probe(file).frames).toBe(23)
    expect(ExportRecord.parse(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'))).operation).toBe('grid-video')
    await dialog.getByRole('button', { name: 'Close' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(studio.problems).toEqual([])
  })

  it('renders the grid of a model trained by PyTorch main.py and imported', async () => {
    const imported = await importedPyTorchRun(library)
    await page.reload()
    await page.getByTestId('nav-explore').click()
    await page.getByTestId('explore-run').selectOption(imported)
    await page.getByTestId('explore-generate').click()
    const samples = page.getByTestId('explore-samples').getByRole('button')
    await samples.nth(15).waitFor()
    for (const i of [1, 4, 7, 10]) await samples.nth(i).click()
    await page.getByTestId('use-grid-corners').click()
    await page.getByTestId('explore-tab-grid').click()
    await page.getByTestId('grid-columns').fill('3')
    await page.getByTestId('grid-rows').fill('3')
    const cells = page.getByTestId('grid-cells')
    await expect.poll(() => cells.getAttribute('data-columns')).toBe('3')
    await expect.poll(() => cells.getByRole('button').count()).toBe(9)
    const pixels = (locator: ReturnType<Page['getByTestId']>): Promise<string> => locator.locator('canvas').evaluate((canvas: PageCanvas) => canvas.toDataURL())
    await expect.poll(async () => (await pixels(page.getByTestId('grid-cell-8'))) === (await pixels(page.getByTestId('grid-corner-bottom-right')))).toBe(true)
    expect(studio.problems).toEqual([])
  })
})
