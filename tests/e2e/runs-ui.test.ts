import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir, writeDiscImages } from '../support/fixtures'
import { trainedRunWithoutItsDataset } from '../support/recipe-run'
import { openStudioPage, type StudioPage } from '../support/studio-page'

beforeAll(() => ensureBuilt(), 300_000)

// The run views in web mode, in headless Chromium: the status line follows the trainer; the demo is shown as
// the finished model it is; a run whose dataset left the library but is recorded as a recipe (as the demo's
// 12,000 faces are) makes it again with the real make-faces and import, then resumes training on it.
describe('runs in the UI', () => {
  let studio: StudioPage
  let page: Page
  let library: string
  let facesRun: string
  let facesDataset: string
  let facesBytes: Buffer

  beforeAll(async () => {
    library = tempDir('runs-ui')
    const discs = tempDir('runs-ui-discs')
    await writeDiscImages(discs, 16, 4)
    expect((await runCli(['import', discs, '--size', '32', '--name', 'discs', '--library', library])).code).toBe(0)
    // A run trained on procedural faces, whose dataset is then removed, as the demo ships.
    ;({ runId: facesRun, datasetId: facesDataset, images: facesBytes } = await trainedRunWithoutItsDataset(library))
    studio = await openStudioPage(library, { width: 1400, height: 900 })
    page = studio.page
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('the run view says what the trainer is doing while it trains, not "Starting."', async () => {
    await page.getByTestId('nav-train').click()
    await page.getByTestId('run-dataset').selectOption({ label: 'discs (16 × 32px)' })
    await page.getByTestId('run-batch').fill('8')
    await page.getByTestId('run-width').fill('8')
    await page.getByTestId('run-steps').fill('30')
    await page.getByTestId('run-checkpoint-every').fill('15')
    await page.getByTestId('run-sample-every').fill('10')
    await page.getByTestId('run-create').click()
    const monitor = page.getByTestId('run-monitor')
    await monitor.waitFor()
    const message = monitor.getByTestId('run-status-message')
    await expect.poll(() => message.textContent()).toMatch(/^Training on \w+ from step 0 towards 30 \(batch 8\)\.$/)
    expect(await monitor.getAttribute('data-status')).toBe('running')
    await expect.poll(() => monitor.getAttribute('data-status')).toBe('completed')
    expect(await message.textContent()).toMatch(/Trained to step 30/)
  }, 330_000)

  it('shows the demo as a finished model, not a red "stopped" run short of its steps', async () => {
    await page.getByTestId('nav-runs').click()
    const demo = page.getByTestId('run-list').getByRole('button', { name: /Procedural faces \(demo\)/ })
    expect(await demo.getByTestId('run-list-status').textContent()).toBe('demo model · trained 5,500 steps checkpoint step 5,500')
    expect(await demo.locator('.pill-stopped').count()).toBe(0)
    await demo.click()
    expect(await page.getByTestId('run-details-status').textContent()).toBe('demo model · trained 5,500 steps')
    expect(await page.getByTestId('run-dataset-missing').textContent()).toMatch(/not in this library: "Train further" makes it again first/)
    // Training it further first offers to make its 12,000 faces again (declined here: minutes of drawing).
    await page.getByTestId('run-resume').click()
    const dialog = page.getByRole('dialog', { name: 'Recreate the dataset first?' })
    await dialog.waitFor()
    expect(await dialog.textContent()).toMatch(/12,000 procedural faces \(32 px, seed 1\).*checkpoint at step 5,500/)
    await dialog.getByTestId('dialog-cancel').click()
    await dialog.waitFor({ state: 'detached' })
    expect(await page.getByTestId('job').count()).toBe(0)
  })

  it('recreates a missing dataset from its recipe as a job, then resumes training on it', async () => {
    await page
      .getByTestId('run-list')
      .getByRole('button', { name: /faces 24/ })
      .click()
    expect(await page.getByTestId('run-dataset-missing').textContent()).toMatch(/“faces 24” is not in this library/)
    await page.getByTestId('run-resume').click()
    const dialog = page.getByRole('dialog', { name: 'Recreate the dataset first?' })
    expect(await dialog.textContent()).toMatch(/24 procedural faces \(32 px, seed 3\)/)
    await dialog.getByTestId('dialog-ok').click()
    // The recreate is a job with a progress bar; when it is done training has resumed from step 4.
    await expect.poll(() => page.locator('[data-testid="job"][data-job-kind="import"]').count()).toBe(1)
    const latestStep = (): number => (JSON.parse(fs.readFileSync(path.join(library, 'runs', facesRun, 'latest.json'), 'utf8')) as { step: number }).step
    await expect.poll(latestStep).toBe(8)
    const manifest = JSON.parse(fs.readFileSync(path.join(library, 'datasets', facesDataset, 'manifest.json'), 'utf8')) as {
      id: string
      name: string
      count: number
    }
    expect(manifest).toMatchObject({ id: facesDataset, name: 'faces 24', count: 24 })
    // The same images, byte for byte, as the ones the run was trained on.
    expect(fs.readFileSync(path.join(library, 'datasets', facesDataset, 'images.u8')).equals(facesBytes)).toBe(true)
    // No faces folder is left behind in the library.
    expect(fs.readdirSync(path.join(library, 'datasets')).filter((n) => n.startsWith('.'))).toEqual([])
    await expect.poll(() => page.getByTestId('run-details-status').textContent()).toBe('completed')
    expect(await page.getByTestId('run-dataset-missing').count()).toBe(0)
    expect(studio.problems).toEqual([])
  })
})
