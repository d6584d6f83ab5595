import * as path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { tempDir } from '../support/fixtures'
import { runPython } from '../support/python'
import { openStudioPage, type StudioPage } from '../support/studio-page'

beforeAll(() => ensureBuilt(), 300_000)

/** A CIFAR-10 folder of one small batch and an SVHN .mat, as numpy and scipy write them. */
const WRITE = String.raw`
import sys, os, numpy as np, scipy.io
root = sys.argv[1]
rng = np.random.RandomState(2)
os.makedirs(root + '/cifar-10-batches-bin')
labels = (np.arange(12) % 10).astype(np.uint8)[:, None]
images = rng.randint(0, 256, size=(12, 3 * 32 * 32)).astype(np.uint8)
open(root + '/cifar-10-batches-bin/data_batch_1.bin', 'wb').write(np.concatenate([labels, images], axis=1).tobytes())
open(root + '/cifar-10-batches-bin/batches.meta.txt', 'w').write('\n'.join(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']) + '\n')
scipy.io.savemat(root + '/train_32x32.mat', dict(X=rng.randint(0, 256, size=(32, 32, 3, 9)).astype(np.uint8), y=np.arange(1, 10, dtype=np.uint8)[:, None]))
`

// The Datasets screen's import form offers the research formats beside folders and IDX files: a CIFAR
// folder and an SVHN file import with their labels, through the studio's own job, in headless Chromium.
describe('importing CIFAR and SVHN from the Datasets screen', () => {
  let studio: StudioPage
  let page: Page
  const data = tempDir('import-arrays-ui')

  beforeAll(async () => {
    runPython(WRITE, [data], ['numpy', 'scipy'])
    studio = await openStudioPage(tempDir('import-arrays-library'), { width: 1400, height: 900 })
    page = studio.page
  })

  afterAll(async () => {
    await studio?.close()
  })

  const importDone = async (count: number): Promise<string> => {
    await page.getByTestId('import-button').click()
    await page
      .locator(`[data-testid="job"][data-job-kind="import"][data-job-state="done"]`)
      .nth(count - 1)
      .waitFor()
    const detail = page.getByTestId('dataset-detail')
    await detail.waitFor()
    return (await detail.textContent()) ?? ''
  }

  it('imports a CIFAR-10 folder with its class names', async () => {
    await page.getByTestId('nav-datasets').click()
    await page.getByTestId('import-kind-cifar').click()
    expect(await page.getByTestId('import-kind-cifar').getAttribute('aria-pressed')).toBe('true')
    await page.getByTestId('import-path').fill(path.join(data, 'cifar-10-batches-bin'))
    const text = await importDone(1)
    expect(text).toContain('12 images · 32×32 · RGB')
    expect(text).toContain('10 classes (airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck)')
    await expect.poll(() => page.getByTestId('dataset-detail').getByTestId('sample-grid').getAttribute('data-count')).toBe('12')
  })

  it('marks the SVHN field when it names a folder, then imports the .mat file with the digits as classes', async () => {
    await page.getByTestId('import-kind-svhn').click()
    await page.getByTestId('import-path').fill(data)
    await page.getByTestId('import-button').click()
    await expect.poll(() => page.getByTestId('import-path').getAttribute('aria-invalid')).toBe('true')
    const describedBy = await page.getByTestId('import-path').getAttribute('aria-describedby')
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe(
      `${data} is a folder; choose the SVHN .mat file in it (e.g. train_32x32.mat). It holds train_32x32.mat.`
    )
    await page.getByTestId('import-path').fill(path.join(data, 'train_32x32.mat'))
    await page.getByTestId('import-size').selectOption('64')
    const text = await importDone(2)
    expect(text).toContain('9 images · 64×64 · RGB')
    expect(text).toContain('10 classes (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)')
    for (const width of [1400, 760]) {
      await page.setViewportSize({ width, height: 900 })
      await page.getByTestId('import-kind-npy').click()
      await page.screenshot({ path: path.join(data, `import-form-${width}.png`), fullPage: true })
    }
    expect(studio.problems).toEqual([])
  })
})
