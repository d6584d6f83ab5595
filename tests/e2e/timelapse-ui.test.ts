import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg'
import sharp from 'sharp'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExportRecord } from '../../src/shared/api/export'
import { readDemoManifest } from '../../src/main/services/demo'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { saveMainPyNets } from '../support/dcgan-main-py'
import { tempDir } from '../support/fixtures'
import { openStudioPage, type StudioPage } from '../support/studio-page'

beforeAll(() => ensureBuilt(), 300_000)

/** Frames in a video, counted by decoding it with the bundled ffmpeg. */
function decodedFrames(file: string): number {
  const stderr = spawnSync(process.env.FFMPEG_PATH ?? ffmpegInstaller.path, ['-hide_banner', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' }).stderr
  return Number([...stderr.matchAll(/frame=\s*(\d+)/g)].at(-1)?.[1] ?? 0)
}

async function openRun(page: Page, name: RegExp): Promise<void> {
  await page.getByTestId('nav-runs').click()
  await page.getByTestId('run-list').getByRole('button', { name }).click()
  await page.getByRole('button', { name: 'Open in Train' }).click()
  await page.getByTestId('run-monitor').waitFor()
}

// The run view's timelapse export in web mode, in headless Chromium: the demo run's sample grids as a GIF
// (the progress bar reaching 100 %), and an imported PyTorch model, which has no grids, says why it has none.
describe('exporting a training timelapse from the run view', () => {
  let studio: StudioPage
  let page: Page
  const out = tempDir('timelapse-ui-out')
  const demo = readDemoManifest()

  beforeAll(async () => {
    const library = tempDir('timelapse-ui-library')
    const source = tempDir('timelapse-ui-mainpy')
    await saveMainPyNets(source, { size: 32, nz: 10, ngf: 8, ndf: 6, nc: 3 }, { steps: 2, samples: 2, initStd: 0.1 })
    // The demo arrives with the first studio on an empty library; the import goes in beside it.
    const imported = await runCli(['import-model', source, '--name', 'From PyTorch', '--library', library])
    expect(imported.code, imported.stderr).toBe(0)
    studio = await openStudioPage(library)
    page = studio.page
  })

  afterAll(async () => {
    await studio?.close()
  })

  it('exports the demo run as a GIF with its progress bar reaching 100 %', async () => {
    expect(demo).not.toBeNull()
    await openRun(page, /Procedural faces/)
    const button = page.getByTestId('timelapse-export')
    await expect.poll(() => button.isEnabled()).toBe(true)
    await button.click()
    const dialog = page.getByTestId('timelapse-dialog')
    await dialog.waitFor()
    await dialog.getByTestId('timelapse-format').selectOption('gif')
    await dialog.getByTestId('timelapse-fps').fill('12')
    await dialog.getByTestId('timelapse-hold').fill('0.5')
    await dialog.getByTestId('timelapse-size').fill('270')
    const file = path.join(out, 'ui-timelapse.gif')
    await dialog.getByTestId('timelapse-path').fill(file)
    // 24 grids in the demo, then half a second at 12 fps of the last one.
    expect(await dialog.getByTestId('timelapse-summary').textContent()).toContain('24 sample grids (steps 0–5,500)')
    await dialog.getByTestId('timelapse-start').click()
    const job = dialog.getByTestId('job')
    await expect.poll(() => job.getAttribute('data-job-state')).toBe('done')
    expect(await job.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100')
    expect(await dialog.getByTestId('timelapse-result').textContent()).toContain(file)
    expect(decodedFrames(file)).toBe(24 + 6)
    const meta = await sharp(file).metadata()
    expect(meta).toMatchObject({ width: 270, pages: 30 })
    // The grid (270 px square) with the caption and the loss strip below it.
    expect(meta.height).toBeGreaterThan(270 + 40)
    const record = ExportRecord.parse(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')))
    expect(record.operation).toBe('timelapse')
    expect(record.request).toMatchObject({ run: { id: demo?.runId }, format: 'gif', fps: 12, hold: 0.5, size: 270, losses: true, fromStep: 0, toStep: 5500 })
    await dialog.getByRole('button', { name: 'Close' }).click()
    await dialog.waitFor({ state: 'hidden' })
  })

  it('offers no timelapse for an imported PyTorch model, and says why', async () => {
    await openRun(page, /From PyTorch/)
    const button = page.getByTestId('timelapse-export')
    await expect.poll(() => button.isDisabled()).toBe(true)
    expect(await button.getAttribute('title')).toMatch(/imported without a training history, so it has no sample grids/)
    expect(studio.problems).toEqual([])
  })
})
