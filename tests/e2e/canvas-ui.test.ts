import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installDemoIfEmpty, readDemoManifest } from '../../src/main/services/demo'
import { Library } from '../../src/main/services/library'
import { ExportRecord } from '../../src/shared/api/export'
import { ensureBuilt } from '../support/build'
import { importedPyTorchRun } from '../support/imported-model'
import { tempDir } from '../support/fixtures'
import { openStudioPage, type StudioPage } from '../support/studio-page'

beforeAll(() => ensureBuilt(), 300_000)

/** What the test reads of a <canvas> (these tests are compiled without the DOM's types). */
interface PixelCanvas {
  width: number
  height: number
  getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> } }
}

/** The RGBA pixels a <canvas> inside `where` shows. */
function canvasPixels(where: Locator): Promise<number[]> {
  return where.locator('canvas').evaluate((c: PixelCanvas) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data))
}

// The Big canvas tab on the demo model (32×32 faces: 8 px a cell), in web mode and headless Chromium: the
// picture at its predicted size, a 1×1 canvas equal to the seed's first sample, tiling, and the PNG export.
describe('the Big canvas tab', () => {
  let studio: StudioPage
  let page: Page
  const demoRun = readDemoManifest()?.runId ?? ''
  const out = tempDir('canvas-ui-out')
  let importedRun = ''

  beforeAll(async () => {
    const root = tempDir('canvas-ui')
    expect(await installDemoIfEmpty(Library.open(root))).toBe(demoRun)
    importedRun = await importedPyTorchRun(root)
    studio = await openStudioPage(root, { width: 1400, height: 900 })
    page = studio.page
    await page.getByTestId('nav-explore').click()
    await page.getByTestId('explore-run').selectOption(demoRun)
    await page.getByTestId('explore-tab-canvas').click()
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('draws a 6×3 grid as one (6 + 3)·8 × (3 + 3)·8 px picture', async () => {
    const image = page.getByTestId('canvas-image').locator('canvas')
    await expect.poll(() => image.getAttribute('width')).toBe(String((6 + 3) * 8))
    expect(await image.getAttribute('height')).toBe(String((3 + 3) * 8))
    expect(await page.getByTestId('canvas-size').textContent()).toContain('6×3 cells → 72×48 px')
  })

  it('a 1×1 canvas with the model statistics is the first sample of the seed, pixel for pixel', async () => {
    await page.getByTestId('canvas-statistics').selectOption('model')
    await page.getByTestId('canvas-columns').fill('1')
    await page.getByTestId('canvas-rows').fill('1')
    const image = page.getByTestId('canvas-image')
    await expect.poll(() => image.locator('canvas').getAttribute('width')).toBe('32')
    await expect.poll(() => page.getByTestId('canvas-view').getAttribute('class')).toBe('canvas-view')
    await expect.poll(() => page.getByTestId('explore-samples').getAttribute('data-count')).toBe('16')
    const sample = page.getByTestId('explore-samples').getByRole('button').first()
    const drawn = await canvasPixels(image)
    expect(drawn).toHaveLength(32 * 32 * 4)
    expect(drawn).toEqual(await canvasPixels(sample))
  })

  it('tiles seamlessly on request: the picture is exactly the grid, 8 px a cell', async () => {
    await page.getByTestId('canvas-statistics').selectOption('canvas')
    await page.getByTestId('canvas-columns').fill('5')
    await page.getByTestId('canvas-rows').fill('4')
    await page.getByTestId('canvas-tile').check()
    await expect.poll(() => page.getByTestId('canvas-image').locator('canvas').getAttribute('width')).toBe('40')
    expect(await page.getByTestId('canvas-size').textContent()).toContain('tiles seamlessly')
  })

  it('exports the canvas as PNG at a scale, with its record', async () => {
    const file = path.join(out, 'ui-canvas.png')
    await page.getByTestId('figure-path').fill(file)
    await page.getByTestId('save-figure').click()
    await expect.poll(() => page.getByTestId('figure-saved').textContent()).toContain(file)
    expect(await sharp(file).metadata()).toMatchObject({ width: 160, height: 128 })
    const record = ExportRecord.parse(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')))
    expect(record).toMatchObject({ operation: 'canvas', request: { columns: 5, rows: 4, tile: true, scale: 4, run: { id: demoRun } } })
  })

  it('draws a model trained with PyTorch main.py and imported, at its predicted size', async () => {
    await page.getByTestId('explore-run').selectOption(importedRun)
    await page.getByTestId('explore-tab-canvas').click()
    // Settings are kept per run: this one starts from the defaults, a 6×3 grid of 8-px cells.
    const image = page.getByTestId('canvas-image').locator('canvas')
    await expect.poll(() => image.getAttribute('width')).toBe(String((6 + 3) * 8))
    expect(await image.getAttribute('height')).toBe(String((3 + 3) * 8))
    expect(await page.getByTestId('canvas-size').textContent()).toContain('checkpoint 0')
    expect(studio.problems).toEqual([])
  })
})
