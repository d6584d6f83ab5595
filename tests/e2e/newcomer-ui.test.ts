import * as path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir, writeDiscImages } from '../support/fixtures'
import { openStudioPage, type StudioPage } from '../support/studio-page'

beforeAll(() => ensureBuilt(), 300_000)

const WIDTHS = [1400, 760]

interface Box {
  x: number
  y: number
  width: number
  height: number
}
const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

/**
 * Every visible <select> too narrow for its longest option, measured with the select's own font: the text,
 * its padding and borders, and the arrow Chromium draws (20 px).
 */
const TRUNCATED_SELECTS = `(() => {
  const ctx = document.createElement('canvas').getContext('2d')
  return [...document.querySelectorAll('select')].filter((s) => s.offsetParent !== null).flatMap((s) => {
    const cs = getComputedStyle(s)
    ctx.font = cs.fontStyle + ' ' + cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily
    const chrome = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + parseFloat(cs.borderLeftWidth) + parseFloat(cs.borderRightWidth) + 20
    const have = s.getBoundingClientRect().width
    return [...s.options].filter((o) => ctx.measureText(o.text).width + chrome > have + 0.5).map((o) => (s.dataset.testid || '?') + ': "' + o.text + '"')
  })
})()`

// What a newcomer sees first, in web mode in headless Chromium at 1400×900 and 760×900, on an empty library
// (which opens with the demo model): Home, the tour, and every form's selects.
describe('a first start, at a wide and a narrow window', () => {
  let studio: StudioPage
  let page: Page

  beforeAll(async () => {
    studio = await openStudioPage(tempDir('newcomer'), { width: 1400, height: 900 })
    page = studio.page
  })

  afterAll(async () => {
    await studio?.close()
  })

  it("Home shows the demo model's samples, says so, and its grid fits the page", async () => {
    // Shown as soon as Home opens, without asking.
    await expect
      .poll(() => page.getByTestId('generate-panel').getByTestId('generate-info').textContent())
      .toMatch(/^16 samples of Procedural faces \(demo\) at step 5500/)
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 })
      await page.getByTestId('nav-home').click()
      const panel = page.getByTestId('generate-panel')
      expect(await panel.getByTestId('generate-source').textContent()).toMatch(/^From the demo model “Procedural faces \(demo\)”: 32×32, checkpoint step 5500/)
      await panel.getByTestId('generate-button').click()
      const grid = panel.getByTestId('sample-grid')
      await expect.poll(() => panel.getByTestId('generate-info').textContent()).toMatch(/^16 samples of Procedural faces \(demo\) at step 5500/)
      // Sixteen 32 px faces, 4 × 4 with 2 px gaps: the demo's, not the untrained 64 px generator's.
      expect(await grid.evaluate((c) => (c as unknown as { width: number }).width)).toBe(4 * 32 + 3 * 2)
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width)
      const [gridBox, panelBox] = [await grid.boundingBox(), await panel.boundingBox()]
      expect(gridBox && panelBox && gridBox.x + gridBox.width <= panelBox.x + panelBox.width).toBe(true)
    }
    // The untrained generator is still there to compare with.
    await page.getByTestId('generate-model').selectOption('')
    await page.getByTestId('generate-button').click()
    await expect.poll(() => page.getByTestId('generate-info').textContent()).toMatch(/of the untrained generator/)
    expect(await page.getByTestId('sample-grid').evaluate((c) => (c as unknown as { width: number }).width)).toBe(4 * 64 + 3 * 2)
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(760)
  })

  it('the tour never covers the controls it describes, and outlines them', async () => {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 })
      await page.getByTestId('nav-home').click()
      await page.getByTestId('demo-tour').click()
      const tour = page.getByTestId('tour')
      // Every step, until the last one offers Done instead of Next.
      for (let step = 0; step === 0 || (await page.getByTestId('tour-next').count()) > 0; step++) {
        if (step > 0) await page.getByTestId('tour-next').click()
        await expect.poll(() => tour.textContent()).toMatch(new RegExp(`^${step + 1} · `))
        const targets = (await page.evaluate<string>('document.body.dataset.tourTargets')).split(' ')
        expect(targets.length).toBeGreaterThan(0)
        for (const target of targets) {
          const control = page.getByTestId(target).first()
          await control.waitFor()
          const [a, b] = [await tour.boundingBox(), await control.boundingBox()]
          expect(a && b && !overlaps(a, b), `step ${step + 1} covers ${target} at ${width} px`).toBe(true)
          expect(
            await control.evaluate(
              (el) => (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string } }).getComputedStyle(el).outlineStyle
            )
          ).toBe('solid')
        }
      }
      expect(await tour.textContent()).toMatch(/^8 · A big canvas/)
      await tour.getByRole('button', { name: 'Done' }).click()
      await tour.waitFor({ state: 'detached' })
      expect(await page.evaluate('document.body.dataset.tourTargets ?? null')).toBeNull()
    }
  })

  it('no select cuts its options short, on any screen', async () => {
    const found: string[] = []
    const check = async (where: string): Promise<void> => {
      for (const text of await page.evaluate<string[]>(TRUNCATED_SELECTS)) found.push(`${where}: ${text}`)
    }
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 })
      await page.getByTestId('nav-home').click()
      await check(`home@${width}`)
      await page.getByTestId('nav-datasets').click()
      await check(`import folder@${width}`)
      await page.getByTestId('import-kind-idx').click()
      await check(`import idx@${width}`)
      await page.getByTestId('nav-train').click()
      await page.getByTestId('run-kernel').waitFor()
      await check(`train@${width}`)
      await page.getByTestId('nav-explore').click()
      await page.getByTestId('explore-run').waitFor()
      for (const tab of ['walk', 'arithmetic', 'features', 'map', 'stack']) {
        await page.getByTestId(`explore-tab-${tab}`).click()
        await page.waitForTimeout(500)
        await check(`explore ${tab}@${width}`)
      }
      await page.getByTestId('explore-tab-walk').click()
      await page.getByTestId('explore-generate').click()
      const samples = page.getByTestId('explore-samples').getByRole('button')
      await samples.nth(1).waitFor()
      await samples.nth(0).click()
      await samples.nth(1).click()
      await page.getByTestId('use-keyframes').click()
      await page.getByRole('button', { name: 'Export…' }).click()
      await page.getByTestId('export-format').waitFor()
      await check(`export walk@${width}`)
      await page.keyboard.press('Escape')
      await page.getByTestId('export-format').waitFor({ state: 'hidden' })
      await page.getByRole('button', { name: 'Clear keyframes' }).click()
      // The Explore screen keeps its selection across screens: the next width starts with none, so its clicks select.
      await page.getByTestId('selection-tray').getByRole('button', { name: 'Clear', exact: true }).click()
      await page.getByTestId('nav-experiments').click()
      await page.getByTestId('forget-negatives').waitFor()
      await check(`experiments@${width}`)
    }
    expect(found).toEqual([])
    expect(studio.problems).toEqual([])
  })
})

// The linear probe on the GAN's own training data says so (the paper probes on held-out data).
describe('the probe, on a model trained on a labelled dataset', () => {
  let studio: StudioPage
  let page: Page
  let library: string

  beforeAll(async () => {
    library = tempDir('probe-warning')
    const labelled = tempDir('probe-labelled')
    await writeDiscImages(path.join(labelled, 'left'), 8, 1)
    await writeDiscImages(path.join(labelled, 'right'), 8, 2)
    const imported = await runCli(['import', labelled, '--class-folders', '--size', '32', '--name', 'discs by side', '--library', library])
    expect(imported.code).toBe(0)
    const trained = await runCli([
      'train',
      '--dataset',
      String(imported.lines.at(-1)?.datasetId),
      '--width',
      '8',
      '--batch',
      '8',
      '--steps',
      '2',
      '--checkpoint-every',
      '2',
      '--sample-every',
      '2',
      '--name',
      'discs',
      '--library',
      library
    ])
    expect(trained.code).toBe(0)
    studio = await openStudioPage(library, { width: 1400, height: 900 })
    page = studio.page
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('warns when the labelled dataset is the one the GAN was trained on, and prefers held-out data once there is some', async () => {
    await page.getByTestId('nav-experiments').click()
    await page.getByTestId('explore-run').selectOption({ label: 'discs (step 2)' })
    const panel = page.getByTestId('probe-panel')
    await expect
      .poll(() => panel.getByTestId('probe-training-data').textContent())
      .toMatch(/“discs by side” is the dataset this GAN was trained on: .*held-out data/)
    expect(await panel.getByTestId('probe-dataset').locator('option').first().textContent()).toMatch(/— the GAN’s training data$/)
    // Another labelled set, never trained on: it is chosen first, and the warning goes.
    const heldOut = tempDir('probe-held-out')
    await writeDiscImages(path.join(heldOut, 'left'), 6, 7)
    await writeDiscImages(path.join(heldOut, 'right'), 6, 8)
    expect((await runCli(['import', heldOut, '--class-folders', '--size', '32', '--name', 'held-out discs', '--library', library])).code).toBe(0)
    await page.reload()
    await page.getByTestId('nav-experiments').click()
    await page.getByTestId('explore-run').selectOption({ label: 'discs (step 2)' })
    await expect.poll(async () => (await panel.getByTestId('probe-dataset').inputValue()).startsWith('held-out-discs')).toBe(true)
    expect(await panel.getByTestId('probe-training-data').count()).toBe(0)
    expect(studio.problems).toEqual([])
  })
})
