import * as path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { type RunningServer, startStudioServer } from '../support/studio-server'
import { launchChromium, requireSystemPackage } from '../support/system-packages'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

const FASHION = '/usr/share/datasets/fashion-mnist'
const IMAGES = path.join(FASHION, 't10k-images-idx3-ubyte.gz')
const LABELS = path.join(FASHION, 't10k-labels-idx1-ubyte.gz')

// The Experiments screen in web mode, in headless Chromium, on a small model trained here (RGB discs) and a
// few hundred labelled Fashion-MNIST images (28 px gray, so the probe resizes and converts them).
describe('the Experiments screen', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let target = ''
  const problems: string[] = []

  beforeAll(async () => {
    requireSystemPackage('dataset-fashion-mnist')
    const { library, runId } = await trainTinyRun({ images: 24, seed: 5, steps: 20 })
    const imported = await runCli(['import', '--idx', IMAGES, '--labels', LABELS, '--limit', '400', '--name', 'fashion labelled', '--library', library])
    expect(imported.code, imported.stderr).toBe(0)
    target = path.join(tempDir('experiments-ui'), 'sample.png')
    const exported = await runCli(['export', 'image', '--run', runId, '--seed', '77', '--scale', '1', '--out', target, '--library', library])
    expect(exported.code, exported.stderr).toBe(0)
    server = await startStudioServer([], library)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    page.on('pageerror', (err) => problems.push(err.message))
    await page.goto(server.urlWithToken)
    await page.getByTestId('nav-experiments').click()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('runs a linear probe on a labelled dataset and shows the three accuracies with the paper for reference', async () => {
    const panel = page.getByTestId('probe-panel')
    await expect.poll(() => panel.getByTestId('probe-dataset').locator('option').count()).toBe(1)
    await panel.getByTestId('probe-per-class').fill('10')
    await panel.getByTestId('probe-start').click()
    await panel.getByTestId('job').waitFor()
    const result = panel.getByTestId('probe-result')
    await result.waitFor()
    for (const id of ['probe-accuracy', 'probe-random', 'probe-pixels']) expect(await result.getByTestId(id).textContent()).toMatch(/^\d+\.\d%$/)
    expect(await result.textContent()).toMatch(/resized from 28 to 32 px.*gray repeated into RGB/)
    expect(await result.textContent()).toContain('82.8%')
  })

  it('projects an image file into z and shows the original beside its reconstruction', async () => {
    const panel = page.getByTestId('projection-panel')
    await panel.getByTestId('projection-image').fill(target)
    await panel.getByTestId('projection-start').click()
    const result = panel.getByTestId('projection-result')
    await result.waitFor()
    expect(await result.locator('canvas').count()).toBe(2)
    expect(await result.getByTestId('projection-error').textContent()).toMatch(/Pixel error \d\.\d+(e-\d+)?.*a random z scores/)
    await result.getByTestId('projection-copy').click()
    // Headless pages may not reach the clipboard; then the z is shown to copy by hand. Either way it is said.
    await expect.poll(() => result.textContent()).toMatch(/Copied the z|\[-?\d/)
    expect(problems).toEqual([])
  })
})
