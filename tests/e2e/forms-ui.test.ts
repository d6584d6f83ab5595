import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir, writeDiscImages } from '../support/fixtures'
import { openStudioPage, type StudioPage } from '../support/studio-page'

beforeAll(() => ensureBuilt(), 300_000)

/** The message under a field and whether the field is marked invalid. */
async function fieldState(page: Page, testId: string): Promise<{ invalid: string | null; message: string | null }> {
  const field = page.getByTestId(testId)
  const invalid = await field.getAttribute('aria-invalid')
  const describedBy = await field.getAttribute('aria-describedby')
  const message = describedBy ? await page.locator(`[id="${describedBy}"]`).textContent() : null
  return { invalid, message }
}

// Forms say what is wrong at the field that is wrong, in words, with what is allowed — never a raw
// "EISDIR" or a one-line zod dump. Web mode in headless Chromium, on a library with the demo and one dataset.
describe('forms mark the field that is wrong and say what is allowed', () => {
  let studio: StudioPage
  let page: Page
  let library: string
  let datasetId: string
  const idxFolder = tempDir('idx-folder')

  beforeAll(async () => {
    library = tempDir('forms-library')
    const discs = tempDir('forms-discs')
    await writeDiscImages(discs, 12, 2)
    const imported = await runCli(['import', discs, '--size', '32', '--library', library])
    expect(imported.code).toBe(0)
    datasetId = String(imported.lines.at(-1)?.datasetId)
    fs.writeFileSync(path.join(idxFolder, 'train-images-idx3-ubyte.gz'), 'not really')
    fs.writeFileSync(path.join(idxFolder, 'train-labels-idx1-ubyte.gz'), 'not really')
    studio = await openStudioPage(library, { width: 1400, height: 900 })
    page = studio.page
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('a folder given as the IDX file: the path field says it is a folder and which file to choose', async () => {
    await page.getByTestId('nav-datasets').click()
    await page.getByTestId('import-kind-idx').click()
    await page.getByTestId('import-path').fill(idxFolder)
    await page.getByTestId('import-button').click()
    await expect
      .poll(() => fieldState(page, 'import-path'))
      .toEqual({
        invalid: 'true',
        message: `${idxFolder} is a folder; choose the IDX images file in it (e.g. train-images-idx3-ubyte.gz). It holds train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz.`
      })
    expect(await page.locator('body').textContent()).not.toMatch(/EISDIR/)
    // Editing the path clears the mark.
    await page.getByTestId('import-path').fill(path.join(idxFolder, 'train-images-idx3-ubyte.gz'))
    expect((await fieldState(page, 'import-path')).invalid).toBeNull()
  })

  it("the new-run form checks every value against the API's own rules as it is typed, and starts nothing while one is wrong", async () => {
    await page.getByTestId('nav-train').click()
    await page.getByTestId('run-dataset').selectOption(datasetId)
    await page.getByTestId('run-learning-rate').fill('5')
    expect(await fieldState(page, 'run-learning-rate')).toEqual({ invalid: 'true', message: 'must be at most 1' })
    await page.getByTestId('run-width').fill('3')
    expect(await fieldState(page, 'run-width')).toEqual({ invalid: 'true', message: 'must be a whole number from 8 to 512 for 32 px images' })
    await page.getByTestId('run-batch').fill('0')
    expect(await fieldState(page, 'run-batch')).toEqual({ invalid: 'true', message: 'must be at least 1' })
    await page.getByTestId('run-steps').fill('')
    expect(await fieldState(page, 'run-steps')).toEqual({ invalid: 'true', message: 'must be a number' })
    await page.getByTestId('run-create').click()
    expect(await page.getByTestId('run-form-error').textContent()).toMatch(/see the marked fields/)
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-invalid")')).toBe('true')
    expect(await page.getByTestId('run-monitor').count()).toBe(0)
    const runs = (await runCli(['runs', '--library', library])).lines
    expect(JSON.stringify(runs)).not.toContain(datasetId)
    // Put right, the marks go.
    await page.getByTestId('run-learning-rate').fill('0.0002')
    await page.getByTestId('run-width').fill('8')
    await page.getByTestId('run-batch').fill('8')
    await page.getByTestId('run-steps').fill('4')
    for (const id of ['run-learning-rate', 'run-width', 'run-batch', 'run-steps']) expect((await fieldState(page, id)).invalid).toBeNull()
  })

  it('the studio itself refuses a width the model cannot take (command line too), with the same words', async () => {
    const refused = await runCli(['train', '--dataset', datasetId, '--width', '3', '--steps', '2', '--library', library])
    expect(refused.code).not.toBe(0)
    expect(JSON.stringify(refused.lines) + refused.stderr).toMatch(/must be at least 8/)
    // The widest layer's limit depends on the image size, which only the studio knows from the dataset.
    const discs = tempDir('forms-discs-64')
    await writeDiscImages(discs, 4, 3)
    const at64 = String((await runCli(['import', discs, '--size', '64', '--library', library])).lines.at(-1)?.datasetId)
    const tooWide = await runCli(['train', '--dataset', at64, '--width', '300', '--steps', '2', '--library', library])
    expect(tooWide.code).not.toBe(0)
    expect(JSON.stringify(tooWide.lines) + tooWide.stderr).toContain('The width 300 must be a whole number from 8 to 256 for 64 px images.')
  })

  it('a missing image for projection is reported as missing, at the image field', async () => {
    await page.getByTestId('nav-experiments').click()
    const missing = path.join(idxFolder, 'no-such-face.png')
    await page.getByTestId('projection-image').fill(missing)
    await page.getByTestId('projection-start').click()
    await expect
      .poll(() => fieldState(page, 'projection-image'))
      .toEqual({
        invalid: 'true',
        message: `There is no file ${missing}. Check the path: it is a path on the machine running the studio.`
      })
    expect(await page.getByTestId('projection-panel').textContent()).not.toMatch(/disappeared/)
    await page.getByTestId('projection-image').fill(idxFolder)
    // Its numbers are checked against the API's limits as they are typed.
    await page.getByTestId('projection-starts').fill('0')
    expect(await fieldState(page, 'projection-starts')).toEqual({ invalid: 'true', message: 'must be at least 1' })
    expect(await page.getByTestId('projection-start').isDisabled()).toBe(true)
    await page.getByTestId('projection-starts').fill('8')
    await page.getByTestId('projection-start').click()
    await expect
      .poll(async () => (await fieldState(page, 'projection-image')).message)
      .toBe(`${idxFolder} is a folder; choose an image file in it (JPEG, PNG, WebP, GIF, BMP, TIFF or PGM/PPM/PBM).`)
    expect(studio.problems).toEqual([])
  })
})
