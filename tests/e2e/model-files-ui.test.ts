import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { type MainPyShape, saveMainPyNets } from '../support/dcgan-main-py'
import { runCli } from '../support/cli'
import { tempDir, writeDiscImages } from '../support/fixtures'
import { openStudioPage, type StudioPage } from '../support/studio-page'

beforeAll(() => ensureBuilt(), 300_000)

// Runs → "Import a model…" and "Export model…" in web mode, in headless Chromium, on files PyTorch wrote:
// the real services and engine, the app's own dialogs.
describe('importing and exporting models in the UI', () => {
  let studio: StudioPage
  let source: string
  const shape: MainPyShape = { size: 32, nz: 10, ngf: 8, ndf: 8, nc: 3 }

  beforeAll(async () => {
    source = tempDir('ui-mainpy')
    await saveMainPyNets(source, shape, { steps: 2, initStd: 0.1 })
    const library = tempDir('model-files-ui')
    const discs = tempDir('ui-discs')
    await writeDiscImages(discs, 8)
    expect((await runCli(['import', discs, '--size', '32', '--name', 'discs', '--library', library])).code).toBe(0)
    studio = await openStudioPage(library, { width: 1400, height: 900 })
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('imports netG.pth + netD.pth from their folder, shows the run, and exports it as PyTorch and tfjs', async () => {
    const { page } = studio
    await page.getByTestId('nav-runs').click()
    await page.getByTestId('runs-import-model').click()
    const dialog = page.getByTestId('import-model-dialog')
    await expect.poll(() => dialog.isVisible()).toBe(true)
    // Something that is not a model first: the dialog stays open and says what was found.
    const notModel = path.join(tempDir('ui-not-model'), 'netG.pth')
    fs.writeFileSync(notModel, 'hello')
    await page.getByTestId('import-model-path').fill(notModel)
    await page.getByTestId('import-model-start').click()
    await expect.poll(() => page.getByTestId('import-model-error').textContent()).toContain('is neither a PyTorch file')
    await page.getByTestId('import-model-path').fill(source)
    await page.getByTestId('import-model-name').fill('From PyTorch')
    await page.screenshot({ path: '/tmp/model-files-import-1400.png' })
    await page.getByTestId('import-model-start').click()
    await expect.poll(() => dialog.isVisible()).toBe(false)
    const details = page.getByTestId('run-details')
    await expect.poll(() => details.textContent()).toContain('From PyTorch')
    await expect.poll(() => details.textContent()).toContain('Imported from netG.pth and netD.pth')
    await expect.poll(() => page.getByTestId('run-dataset-missing').textContent()).toContain('imported without a dataset')
    await expect.poll(() => page.getByTestId('run-list-status').first().textContent()).toContain('imported · pytorch')

    await page.getByTestId('run-export-model').click()
    const exportDialog = page.getByTestId('export-model-dialog')
    await expect.poll(() => exportDialog.isVisible()).toBe(true)
    const out = tempDir('ui-export')
    await page.getByTestId('export-model-path').fill(out)
    await expect.poll(() => page.getByTestId('export-model-hint').textContent()).toContain('--nz 10 --ngf 8 --ndf 8')
    await page.getByTestId('export-model-start').click()
    await expect.poll(() => page.getByTestId('export-model-result').textContent()).toContain('netG.pth')
    expect(fs.readdirSync(out).sort()).toEqual(['netD.pth', 'netG.pth'])
    await page.getByTestId('export-model-format').selectOption('tfjs')
    const tfjsOut = tempDir('ui-export-tfjs')
    await page.getByTestId('export-model-path').fill(tfjsOut)
    await page.screenshot({ path: '/tmp/model-files-export-1400.png' })
    await page.getByTestId('export-model-start').click()
    await expect.poll(() => page.getByTestId('export-model-result').textContent()).toContain('manifest.json')
    const manifest = JSON.parse(fs.readFileSync(path.join(tfjsOut, 'manifest.json'), 'utf8')) as Record<string, unknown>
    expect(manifest).toMatchObject({ modelLatentDim: 10, modelSize: 32 })
    await page.keyboard.press('Escape')
    await expect.poll(() => exportDialog.isVisible()).toBe(false)

    await page.setViewportSize({ width: 760, height: 900 })
    await page.screenshot({ path: '/tmp/model-files-runs-760.png', fullPage: true })
    await page.getByTestId('run-export-model').click()
    await page.screenshot({ path: '/tmp/model-files-export-760.png' })
    await page.keyboard.press('Escape')
    await page.getByTestId('runs-import-model').click()
    await page.screenshot({ path: '/tmp/model-files-import-760.png' })
    await page.keyboard.press('Escape')
    await page.setViewportSize({ width: 1400, height: 900 })
    await page.screenshot({ path: '/tmp/model-files-runs-1400.png', fullPage: true })

    // Training it further starts with a dataset of its size: chosen here, then the run says it trains on it.
    await page.getByTestId('run-choose-dataset').selectOption({ label: 'discs (8 × 32px)' })
    await page.getByTestId('run-choose-dataset-ok').click()
    await expect.poll(() => details.textContent()).toContain('Dataset discs')
    expect(await page.getByTestId('run-dataset-missing').count()).toBe(0)
    expect(studio.problems).toEqual([])
  })
})
