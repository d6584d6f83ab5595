import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProjectReport } from '../../src/shared/api/experiments'
import { type Job, isFinished } from '../../src/shared/api/jobs'
import { launchNodeEngine } from '../../src/main/services/engine-process'
import { Studio } from '../../src/main/services/studio'
import { ensureBuilt } from '../support/build'
import { meanDifference } from '../support/pixels'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { trainTinyRun } from '../support/tiny-run'

beforeAll(() => ensureBuilt(), 300_000)

async function gray(file: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file).removeAlpha().toColourspace('b-w').raw().toBuffer())
}

/** Resolves with the job once it has finished, following `jobs.changed`. */
function finished(studio: Studio, job: Job): Promise<Job> {
  return new Promise((resolve) => {
    const off = studio.events.subscribe((event, payload) => {
      const changed = payload as Job
      if (event !== 'jobs.changed' || changed.id !== job.id || !isFinished(changed.state)) return
      off()
      resolve(changed)
    })
  })
}

// Projection on a small model trained here: a sample of a known z, saved as PNG, is projected back.
describe('dcgan-studio project', () => {
  const out = tempDir('project-out')
  let library = ''
  let runId = ''

  beforeAll(async () => {
    ;({ library, runId } = await trainTinyRun({ images: 32, seed: 3, steps: 60, batch: 16, extra: ['--lr', '0.001'] }))
  })

  it('reconstructs a sample of a known z with a small pixel error, far below a random z', async () => {
    const target = path.join(out, 'target.png')
    const other = path.join(out, 'other.png')
    for (const [seed, file] of [
      ['4242', target],
      ['99', other]
    ] as const) {
      const exported = await runCli(['export', 'image', '--run', runId, '--seed', seed, '--scale', '1', '--out', file, '--library', library])
      expect(exported.code).toBe(0)
    }
    const zFile = path.join(out, 'z.json')
    const reconstruction = path.join(out, 'reconstruction.png')
    const started = Date.now()
    const result = await runCli(['project', '--run', runId, '--image', target, '--out', zFile, '--reconstruction', reconstruction, '--library', library])
    expect(result.code, result.stderr).toBe(0)
    const done = result.lines.at(-1) as { error: number; randomError: number; errors: number[]; initialErrors: number[] }
    const written = JSON.parse(fs.readFileSync(zFile, 'utf8')) as { z: number[]; error: number; errors: number[]; run: string; step: number; image: string }
    expect(written).toMatchObject({ run: runId, step: 60, image: target, error: done.error })
    expect(written.z).toHaveLength(100)
    // Inside the model's noise range, uniform [-1, 1].
    expect(written.z.every((v) => v >= -1 && v <= 1)).toBe(true)
    expect(written.errors).toHaveLength(8)
    expect(done.initialErrors).toHaveLength(8)
    // On the [-1, 1] pixel scale 0.001 is about 4 grey levels RMS; the best random start scores far worse.
    expect(done.error).toBeLessThan(0.001)
    expect(done.error).toBeLessThan(done.randomError / 10)
    // The reconstruction is much closer to the target than another sample of the model is.
    const away = meanDifference(await gray(target), await gray(other))
    expect(away).toBeGreaterThan(1)
    expect(meanDifference(await gray(target), await gray(reconstruction))).toBeLessThan(away / 5)
    console.log(
      `projection: error ${done.error.toFixed(6)} vs random ${done.randomError.toFixed(6)}; mean abs diff to target ${meanDifference(await gray(target), await gray(reconstruction)).toFixed(2)} vs another sample ${away.toFixed(2)}; ${((Date.now() - started) / 1000).toFixed(1)} s`
    )
  })

  describe('through the Studio API', () => {
    let studio: Studio

    beforeAll(async () => {
      studio = await Studio.open({ libraryRoot: library, launcher: launchNodeEngine })
    })

    afterAll(async () => {
      await studio?.close()
    })

    it('runs as a job whose z renders the reconstruction again as a { kind: "z" } sample', async () => {
      const outcome = await studio.call('experiments.project', {
        run: { id: runId },
        image: { kind: 'file', path: path.join(out, 'target.png') },
        starts: 4,
        steps: 100
      })
      expect(outcome.ok).toBe(true)
      const job = outcome.ok ? (outcome.result as Job) : null
      const ended = await finished(studio, job as Job)
      expect(ended.state).toBe('done')
      const report = ProjectReport.parse(ended.result)
      expect(report.errors).toHaveLength(4)
      const rendered = await studio.call('explore.render', { run: { id: runId }, z: [{ kind: 'z', z: report.z }] })
      expect(rendered.ok).toBe(true)
      const image = rendered.ok ? (rendered.result as { samples: { image: { data: Uint8Array } }[] }).samples[0]?.image : null
      expect(meanDifference(image?.data ?? new Uint8Array(), report.reconstruction.data)).toBeLessThan(1)
    })

    it('can be cancelled', async () => {
      const outcome = await studio.call('experiments.project', {
        run: { id: runId },
        image: { kind: 'file', path: path.join(out, 'target.png') },
        starts: 8,
        steps: 5000
      })
      const job = outcome.ok ? (outcome.result as Job) : null
      const ended = finished(studio, job as Job)
      await new Promise((resolve) => setTimeout(resolve, 3000))
      await studio.call('jobs.cancel', { id: (job as Job).id })
      expect((await ended).state).toBe('cancelled')
    })

    it('says what is wrong with a file that is not an image', async () => {
      const text = path.join(out, 'notes.png')
      fs.writeFileSync(text, 'not an image at all')
      const outcome = await studio.call('experiments.project', { run: { id: runId }, image: { kind: 'file', path: text } })
      expect(outcome.ok).toBe(false)
      expect(outcome.ok ? '' : outcome.error.message).toMatch(/notes\.png.*Pick a JPEG, PNG/)
    })
  })
})
