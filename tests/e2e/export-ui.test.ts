import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg'
import sharp from 'sharp'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExportRecord } from '../../src/shared/api/export'
import { ensureBuilt } from '../support/build'
import { tempDir } from '../support/fixtures'
import { openStudioPage, type StudioPage } from '../support/studio-page'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

/** Frames in a video, counted by decoding it with the bundled ffmpeg. */
function decodedFrames(file: string): number {
  const stderr = spawnSync(process.env.FFMPEG_PATH ?? ffmpegInstaller.path, ['-hide_banner', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' }).stderr
  return Number([...stderr.matchAll(/frame=\s*(\d+)/g)].at(-1)?.[1] ?? 0)
}

// Exporting from the Explore screen in web mode, in headless Chromium, against a model trained here: a walk
// through the export dialog (its progress bar reaching 100 %), and the arithmetic result as a figure.
describe('exporting from the UI', () => {
  let studio: StudioPage
  let page: Page
  const out = tempDir('export-ui-out')

  beforeAll(async () => {
    const { library } = await trainTinyRun({ images: 16, seed: 11 })
    studio = await openStudioPage(library)
    page = studio.page
    await page.getByTestId('nav-explore').click()
    await page.getByTestId('explore-generate').click()
    await page.getByTestId('explore-samples').getByRole('button').nth(15).waitFor()
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('exports a walk as a GIF from the walk panel, the progress bar reaching 100%', async () => {
    await page.getByTestId('explore-tab-walk').click()
    const samples = page.getByTestId('explore-samples').getByRole('button')
    await samples.nth(2).click()
    await samples.nth(5).click()
    await page.getByTestId('use-keyframes').click()
    await page.getByTestId('walk-export').click()
    const dialog = page.getByTestId('export-dialog')
    await dialog.waitFor()
    await dialog.getByTestId('export-format').selectOption('gif')
    await dialog.getByTestId('export-fps').fill('25')
    await dialog.getByTestId('export-size').fill('64')
    await dialog.getByTestId('export-frames').fill('6')
    const file = path.join(out, 'ui-walk.gif')
    await dialog.getByTestId('export-path').fill(file)
    await dialog.getByTestId('export-start').click()
    const job = dialog.getByTestId('job')
    await expect.poll(() => job.getAttribute('data-job-state')).toBe('done')
    expect(await job.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100')
    expect(await dialog.getByTestId('export-result').textContent()).toContain(file)
    // Two keyframes, six frames between them, and the last keyframe: 7 frames of 64×64.
    expect(decodedFrames(file)).toBe(7)
    expect(await sharp(file).metadata()).toMatchObject({ width: 64, height: 64, pages: 7 })
    const record = ExportRecord.parse(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')))
    expect(record.request).toMatchObject({ format: 'gif', fps: 25, size: 64, timing: { kind: 'frames-per-segment', frames: 6 } })
    await dialog.getByRole('button', { name: 'Close' }).click()
    await dialog.waitFor({ state: 'hidden' })
  })

  it('cancels an export from its progress bar, leaving nothing behind', async () => {
    await page.getByTestId('walk-export').click()
    const dialog = page.getByTestId('export-dialog')
    await dialog.waitFor()
    await dialog.getByTestId('export-format').selectOption('webm')
    await dialog.getByTestId('export-size').fill('512')
    await dialog.getByTestId('export-frames').fill('2000')
    const folder = tempDir('export-ui-cancel')
    await dialog.getByTestId('export-path').fill(path.join(folder, 'long.webm'))
    await dialog.getByTestId('export-start').click()
    const job = dialog.getByTestId('job')
    await expect.poll(async () => Number((await job.getByRole('progressbar').getAttribute('aria-valuenow')) ?? 0)).toBeGreaterThan(0)
    await job.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => job.getAttribute('data-job-state')).toBe('cancelled')
    expect(fs.readdirSync(folder)).toEqual([])
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'hidden' })
  })

  it('saves the arithmetic result as a Fig. 7 figure', async () => {
    const samples = page.getByTestId('explore-samples').getByRole('button')
    for (const [slot, index] of [
      ['a', 0],
      ['b', 1],
      ['c', 3]
    ] as const) {
      await samples.nth(index).click()
      await page.getByTestId(`add-${slot}`).click()
    }
    await page.getByTestId('explore-tab-arithmetic').click()
    await page.getByTestId('arithmetic-run').click()
    await page.getByTestId('arithmetic-grid').waitFor()
    const file = path.join(out, 'figure.png')
    await page.getByTestId('figure-path').fill(file)
    await page.getByTestId('save-figure').click()
    await page.getByTestId('figure-saved').waitFor()
    const meta = await sharp(file).metadata()
    expect(meta.width).toBeGreaterThan(0)
    expect(ExportRecord.parse(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'))).operation).toBe('arithmetic')
    expect(studio.problems).toEqual([])
  })
})
