import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BoxesFile } from '../../src/shared/api/forget'
import { ensureBuilt } from '../support/build'
import { tempDir } from '../support/fixtures'
import { openStudioPage, type StudioPage } from '../support/studio-page'

beforeAll(() => ensureBuilt(), 300_000)

/** What a canvas shows, as a PNG data URL: two renderings of a sample differ exactly when these do. */
const pixels = (canvas: Locator): Promise<string> => canvas.evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL())

/** A real mouse drag on the enlarged sample, between two points given in fractions of its size. */
async function drag(page: Page, editor: Locator, from: [number, number], to: [number, number]): Promise<void> {
  await editor.scrollIntoViewIfNeeded()
  const box = await editor.boundingBox()
  if (!box) throw new Error('the box editor is not on screen')
  await page.mouse.move(box.x + from[0] * box.width, box.y + from[1] * box.height)
  await page.mouse.down()
  await page.mouse.move(box.x + to[0] * box.width, box.y + to[1] * box.height, { steps: 6 })
  await page.mouse.up()
}

// Forgetting to draw (paper Fig. 6) in web mode, in headless Chromium, on the demo model (procedural faces) that
// an empty library starts with: box the eyes' band on a few samples, fit, choose how many maps to drop, compare,
// save, then draw with the erasure on the Explore screen.
describe('forgetting to draw in the UI', () => {
  let studio: StudioPage
  let page: Page
  let panel: Locator

  beforeAll(async () => {
    studio = await openStudioPage(tempDir('forget-ui'))
    page = studio.page
    await page.getByTestId('nav-experiments').click()
    panel = page.getByTestId('forget-panel')
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('draws boxes with the mouse on several samples, deletes one, undoes and round-trips them through a boxes file', async () => {
    const samples = panel.getByTestId('forget-sample')
    await expect.poll(() => samples.count()).toBe(16)
    const editor = panel.getByTestId('forget-editor')
    for (let i = 0; i < 4; i++) {
      await samples.nth(i).click()
      await drag(page, editor, [0.18, 0.36], [0.82, 0.56])
      await expect.poll(() => editor.getAttribute('data-boxes')).toBe('1')
    }
    await expect.poll(() => panel.getByTestId('forget-counts').textContent()).toMatch(/^4 boxes on 4 samples/)
    expect(await samples.nth(2).getAttribute('data-boxes')).toBe('1')

    // A second box on the last sample, selected by a click and removed with Delete; then Ctrl+Z brings it back.
    await drag(page, editor, [0.1, 0.7], [0.4, 0.9])
    await expect.poll(() => editor.getAttribute('data-boxes')).toBe('2')
    const box = await editor.boundingBox()
    await page.mouse.click((box?.x ?? 0) + 0.25 * (box?.width ?? 0), (box?.y ?? 0) + 0.8 * (box?.height ?? 0))
    await expect.poll(() => editor.locator('.drawn-box.selected').count()).toBe(1)
    await page.keyboard.press('Delete')
    await expect.poll(() => editor.getAttribute('data-boxes')).toBe('1')
    await page.keyboard.press('Control+z')
    await expect.poll(() => editor.getAttribute('data-boxes')).toBe('2')
    // The × on a box removes it too.
    await editor.getByRole('button', { name: 'Remove box 2' }).click()
    await expect.poll(() => editor.getAttribute('data-boxes')).toBe('1')

    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('forget-export').click()])
    const saved = path.join(tempDir('forget-ui-boxes'), 'boxes.json')
    await download.saveAs(saved)
    const file = BoxesFile.parse(JSON.parse(fs.readFileSync(saved, 'utf8')))
    expect(file.samples.filter((s) => s.boxes.length > 0)).toHaveLength(4)

    await panel.getByTestId('forget-clear').click()
    await expect.poll(() => panel.getByTestId('forget-counts').textContent()).toMatch(/^0 boxes on 0 samples/)
    await panel.getByTestId('forget-import').setInputFiles(saved)
    await expect.poll(() => panel.getByTestId('forget-counts').textContent()).toMatch(/^4 boxes on 4 samples/)
  })

  it('fits the maps, lists them by weight, and compares originals with samples drawn without the top N', async () => {
    await panel.getByTestId('forget-negatives').selectOption('matched')
    expect(await panel.getByTestId('forget-unboxed').isChecked()).toBe(true)
    await panel.getByTestId('forget-fit').click()
    const result = panel.getByTestId('forget-result')
    await result.waitFor()
    const maps = result.getByTestId('forget-maps')
    expect(await maps.getAttribute('data-count')).toBe('32')
    expect(await result.getByTestId('forget-summary').textContent()).toMatch(/g_relu2 \(\d+×\d+, 32 maps\)/)
    expect(await result.getByTestId('forget-accuracy').textContent()).toMatch(/^\d+\.\d%$/)
    // Not the paper's rule (every positive map: about half of 32, which blurs every face) but the N of the
    // demo's own saved erasure, "glasses" (4 maps), and a line saying why.
    const paper = Number(/all (\d+) with weight/.exec((await result.getByTestId('forget-drop-paper').textContent()) ?? '')?.[1])
    expect(paper).toBeGreaterThan(0)
    expect(await maps.getAttribute('data-drop')).toBe('4')
    expect(await result.getByTestId('forget-drop-why').textContent()).toBe(
      `Starting on the top 4, as the saved erasure “glasses” of this model does; the paper's rule, every map with a positive weight, would drop ${paper} of the 32, which on a layer this small blurs the whole image.`
    )

    const compare = result.getByTestId('forget-compare')
    const rendered = async (): Promise<number> =>
      (await compare.getAttribute('data-state')) === 'ready' ? ((await compare.getAttribute('data-channels')) ?? '').split(',').filter(Boolean).length : -1
    await expect.poll(rendered).toBe(4)
    // The paper's rule is one click away (the button is off when it is what is shown already).
    if (paper !== 4) {
      await result.getByTestId('forget-drop-paper').click()
      await expect.poll(rendered).toBe(paper)
    }
    // 4 boxed samples and 8 fresh ones, each drawn twice.
    expect(await compare.locator('canvas').count()).toBe(24)

    await result.getByTestId('forget-drop').fill('4')
    await expect.poll(rendered).toBe(4)
    expect(await result.getByTestId('forget-dropped').textContent()).toMatch(/Dropping g_relu2 maps \d+ \(-?\d\.\d\d\), \d+/)
    const original = await pixels(compare.getByRole('img', { name: 'fresh sample 1, original' }).locator('canvas'))
    const erased = await pixels(compare.getByRole('img', { name: 'fresh sample 1, drawn without the dropped maps' }).locator('canvas'))
    expect(erased).not.toBe(original)

    // The comparison as a figure (paper Fig. 6): originals over erased, with its record beside it.
    await result.getByTestId('figure-path').fill('glasses-figure.png')
    await result.getByTestId('save-figure').click()
    await expect.poll(() => result.getByTestId('figure-saved').count()).toBe(1)
    const figure = path.join(studio.server.library, 'exports', 'glasses-figure.png')
    const record = JSON.parse(fs.readFileSync(`${figure}.json`, 'utf8')) as {
      operation: string
      run: { erasure: { layer: string; channels: number[] } }
      output: { width: number; height: number }
    }
    expect(record.operation).toBe('erasure')
    expect(record.run.erasure.layer).toBe('g_relu2')
    expect(record.run.erasure.channels).toHaveLength(4)
    // 4 boxed + 8 fresh samples in two rows, 32 px each with 2-px gaps, at the default scale of 4.
    expect([record.output.width, record.output.height]).toEqual([4 * (12 * 32 + 11 * 2), 4 * (2 * 32 + 2)])

    // The demo ships one erasure (its glasses, fitted with the CLI); this one joins it.
    expect(await panel.getByTestId('forget-saved-list').getAttribute('data-count')).toBe('1')
    // Typing the name changes nothing in the comparison: the erased samples are not drawn again per keystroke.
    await compare.evaluate((el: { getAttribute(name: string): string | null }) => {
      // The page's globals this uses, typed here for the Node-side compiler.
      interface Globals {
        MutationObserver: new (callback: () => void) => { observe(target: unknown, options: { attributeFilter: string[] }): void }
        comparisonStates: (string | null)[]
      }
      const globals = globalThis as unknown as Globals
      globals.comparisonStates = []
      new globals.MutationObserver(() => globals.comparisonStates.push(el.getAttribute('data-state'))).observe(el, { attributeFilter: ['data-state'] })
    })
    await result.getByTestId('forget-save-name').pressSequentially('eyewear')
    // Past the comparison's debounce, so a render a keystroke set off would have started.
    await page.waitForTimeout(500)
    expect(await page.evaluate<(string | null)[]>('globalThis.comparisonStates')).toEqual([])
    await result.getByTestId('forget-save').click()
    await result.getByTestId('forget-saved').waitFor()
    await expect.poll(() => panel.getByTestId('forget-saved-list').getAttribute('data-count')).toBe('2')
    // A saved erasure keeps what it was fitted from: opening it brings its boxes and settings back.
    await panel.getByTestId('forget-clear').click()
    await expect.poll(() => panel.getByTestId('forget-counts').textContent()).toMatch(/^0 boxes on 0 samples/)
    await panel.getByTestId('forget-negatives').selectOption('random')
    await panel.getByTestId('forget-saved-item').filter({ hasText: 'eyewear' }).getByTestId('forget-open').click()
    await expect.poll(() => panel.getByTestId('forget-counts').textContent()).toMatch(/^4 boxes on 4 samples/)
    expect(await panel.getByTestId('forget-negatives').inputValue()).toBe('matched')
    await panel.screenshot({ path: path.join(studio.server.library, 'forget-panel.png') })
  })

  it('draws samples and walks without the saved erasure on the Explore screen, and says so', async () => {
    await page.getByTestId('nav-explore').click()
    await page.getByTestId('explore-generate').click()
    const first = page.getByTestId('explore-samples').locator('canvas').first()
    await expect.poll(() => page.getByTestId('explore-samples').locator('canvas').count()).toBe(16)
    const before = await pixels(first)

    const erasure = page.getByTestId('explore-erasure')
    await expect.poll(() => erasure.locator('option').count()).toBe(3)
    await erasure.selectOption({ label: 'eyewear (4 maps, step 5500)' })
    expect(await page.getByTestId('erasure-badge').textContent()).toBe('drawing without: eyewear (4 maps)')
    await expect.poll(() => pixels(first)).not.toBe(before)
    await page.screenshot({ path: path.join(studio.server.library, 'forget-explore.png') })
    // Walks on the screen draw with it too.
    const tiles = page.getByTestId('explore-samples').getByRole('button')
    await tiles.nth(0).click()
    await tiles.nth(1).click()
    await page.getByTestId('use-keyframes').click()
    await page.getByTestId('walk-render').click()
    await page.getByTestId('walk-strip-slerp').waitFor()

    // Back to none: the same samples as before.
    await erasure.selectOption('')
    await expect.poll(() => pixels(first)).toBe(before)
    expect(await page.getByTestId('erasure-badge').count()).toBe(0)
    expect(studio.problems).toEqual([])
  })

  it('deletes a run with its erasures (after confirmation), leaving exports made with them', async () => {
    const library = studio.server.library
    expect(fs.readdirSync(path.join(library, 'erasures')).filter((f) => f.endsWith('.json'))).toHaveLength(2)
    await page.getByTestId('nav-runs').click()
    await page
      .getByTestId('run-list')
      .getByRole('button', { name: /Procedural faces/ })
      .click()
    await page.getByTestId('run-delete').click()
    // The app's own confirmation (no window.confirm, which blocks the page), Cancel focused.
    const dialog = page.getByRole('dialog', { name: 'Delete this run?' })
    await dialog.waitFor()
    expect(await dialog.textContent()).toMatch(/concepts and erasures\? Exports stay/)
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel')
    await dialog.getByTestId('dialog-ok').click()
    // The paper's own SVHN DCGAN, shipped beside the faces demo, stays.
    await expect.poll(() => page.getByTestId('run-list').getByRole('button').count()).toBe(1)
    expect(await page.getByTestId('run-list').textContent()).toMatch(/The paper's own SVHN DCGAN/)
    expect(fs.existsSync(path.join(library, 'runs', 'procedural-faces-demo-dbd50b'))).toBe(false)
    expect(fs.readdirSync(path.join(library, 'erasures')).filter((f) => f.endsWith('.json'))).toEqual([])
    expect(fs.existsSync(path.join(library, 'exports', 'glasses-figure.png'))).toBe(true)
  })
})
