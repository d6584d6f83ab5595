import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { canvasPixels, meanDifference } from '../support/pixels'
import { openStudioPage, type StudioPage } from '../support/studio-page'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

const tilePixels = (page: Page, testId: string): Promise<number[]> => canvasPixels(page.getByTestId(testId).locator('canvas'))

// Concepts in the UI, through the app's own dialogs (window.prompt throws in Electron): name the arithmetic
// result and the A − B direction, then apply one to a sample with the strength slider, sweep along it and
// export it — on a model trained here, in web mode, in headless Chromium.
describe('concepts from the arithmetic panel', () => {
  let studio: StudioPage
  let page: Page
  let library: string

  beforeAll(async () => {
    ;({ library } = await trainTinyRun({ images: 24, seed: 5, steps: 20 }))
    studio = await openStudioPage(library, { width: 1400, height: 900 })
    page = studio.page
    await page.getByTestId('nav-explore').click()
    await page.getByTestId('explore-generate').click()
    const samples = page.getByTestId('explore-samples').getByRole('button')
    await samples.nth(15).waitFor()
    for (const [slot, first] of [
      ['a', 0],
      ['b', 3],
      ['c', 6]
    ] as const) {
      for (let i = first; i < first + 3; i++) await samples.nth(i).click()
      await page.getByTestId(`add-${slot}`).click()
    }
    await page.getByTestId('explore-tab-arithmetic').click()
    await page.getByTestId('arithmetic-run').click()
    await page.getByTestId('arithmetic-grid').waitFor()
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('names the result in a dialog: focus in the field, an empty name is refused with a reason, Enter saves, focus comes back', async () => {
    const save = page.getByRole('button', { name: 'Save result as concept…' })
    await save.click()
    const dialog = page.getByRole('dialog', { name: 'Save the result as a concept' })
    await dialog.waitFor()
    expect(await dialog.getAttribute('aria-modal')).toBe('true')
    expect(await page.evaluate('document.activeElement?.getAttribute("data-testid")')).toBe('dialog-input')
    await page.keyboard.press('Enter')
    expect(await dialog.getByTestId('dialog-error').textContent()).toMatch(/name is needed/i)
    expect(await dialog.getByTestId('dialog-input').getAttribute('aria-invalid')).toBe('true')
    await page.keyboard.type('bright disc')
    await page.keyboard.press('Enter')
    await dialog.waitFor({ state: 'detached' })
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Save result as concept…')
    await expect.poll(() => page.getByTestId('concept-select').locator('option').allTextContents()).toEqual(['bright disc (point)'])
    const files = fs.readdirSync(path.join(library, 'concepts')).filter((f) => f.endsWith('.json'))
    expect(files).toHaveLength(1)
  })

  it('names A − B as a direction; Escape cancels without saving', async () => {
    const save = page.getByRole('button', { name: 'Save A − B as direction…' })
    await save.click()
    const dialog = page.getByRole('dialog', { name: 'Save A − B as a direction' })
    await dialog.waitFor()
    await page.keyboard.type('not this one')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    await save.click()
    await dialog.waitFor()
    await dialog.getByTestId('dialog-input').fill('glow')
    await dialog.getByTestId('dialog-ok').click()
    await dialog.waitFor({ state: 'detached' })
    await expect
      .poll(() => page.getByTestId('concept-select').locator('option').allTextContents())
      .toEqual(expect.arrayContaining(['bright disc (point)', 'glow (direction)']))
    expect(await page.getByTestId('concept-select').locator('option').count()).toBe(2)
  })

  it('applies a concept to the selected sample with the strength slider: it changes the image, and strength 0 gives the original back', async () => {
    await page.getByTestId('explore-samples').getByRole('button').nth(12).click()
    const select = page.getByTestId('concept-select')
    const glow = await select.locator('option', { hasText: 'glow (direction)' }).getAttribute('value')
    await select.selectOption(glow as string)
    await page.getByTestId('concept-applied').waitFor()
    const original = await tilePixels(page, 'concept-original')
    await page.getByTestId('concept-strength').fill('3')
    await expect.poll(async () => meanDifference(await tilePixels(page, 'concept-applied'), original)).toBeGreaterThan(1)
    await page.getByTestId('concept-strength').fill('0')
    await expect.poll(async () => meanDifference(await tilePixels(page, 'concept-applied'), original)).toBe(0)
  })

  it('sweeps along the concept from −2 to +2: the middle frame is the sample itself, the ends are not', async () => {
    const original = await tilePixels(page, 'concept-original')
    await page.getByTestId('concept-sweep').click()
    const strip = page.getByTestId('concept-sweep-strip')
    await strip.waitFor()
    expect(await strip.getAttribute('data-frames')).toBe('9')
    const frame = (i: number): Promise<number[]> => canvasPixels(strip.locator('canvas').nth(i))
    expect(meanDifference(await frame(4), original)).toBe(0)
    expect(meanDifference(await frame(0), original)).toBeGreaterThan(1)
    expect(meanDifference(await frame(8), original)).toBeGreaterThan(1)
  })

  it('exports the concept as JSON from the panel', async () => {
    await page.getByTestId('concept-export').click()
    const dialog = page.getByRole('dialog', { name: 'Export the concept "glow"' })
    await dialog.waitFor()
    expect(await dialog.getByTestId('dialog-input').inputValue()).toBe('concept-glow.json')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('concept-notice').textContent()).toMatch(/Exported "glow" to /)
    const file = path.join(library, 'exports', 'concept-glow.json')
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
    expect(JSON.stringify(exported)).toContain('"glow"')
    const vector = (exported.vector ?? (exported.concept as { vector?: unknown } | undefined)?.vector) as number[]
    expect(vector).toHaveLength(100)
  })

  it("deletes a concept after the app's own confirmation, Cancel first", async () => {
    const select = page.getByTestId('concept-select')
    await select.selectOption({ label: 'bright disc (point)' })
    await page.getByTestId('concepts-panel').getByRole('button', { name: 'Delete' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete this concept?' })
    await dialog.waitFor()
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel')
    await page.keyboard.press('Enter')
    await dialog.waitFor({ state: 'detached' })
    expect(await select.locator('option').count()).toBe(2)
    await page.getByTestId('concepts-panel').getByRole('button', { name: 'Delete' }).click()
    await dialog.getByRole('button', { name: 'Delete concept' }).click()
    await expect.poll(() => select.locator('option').allTextContents()).toEqual(['glow (direction)'])
    expect(fs.readdirSync(path.join(library, 'concepts')).filter((f) => f.endsWith('.json'))).toHaveLength(1)
    expect(studio.problems).toEqual([])
  })
})
