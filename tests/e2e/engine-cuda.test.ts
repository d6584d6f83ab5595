import * as fs from 'node:fs'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cuda12Machine, writeMachine } from '../../src/node/cuda-doctor/test-machines'
import { ensureBuilt } from '../support/build'
import { installed } from '../support/optional-packages'
import { type RunningServer, startStudioServer } from '../support/studio-server'
import { launchChromium } from '../support/system-packages'

// Real web mode walking the ladder, its real engine and Debian's Chromium. The CUDA doctor reads a fixture
// machine (DCGAN_STUDIO_CUDA_DOCTOR_ROOT): an H200 with a current driver, CUDA 12 and cuDNN 9, the setup the
// tensorflow-gpu rung most often meets. Loading tfjs-node-gpu itself is this machine's business.

beforeAll(() => ensureBuilt(), 300_000)

describe('the Engine card when the GPU rung failed', () => {
  let server: RunningServer
  let browser: Browser
  const root = writeMachine(cuda12Machine())

  beforeAll(async () => {
    const saved = { backend: process.env.DCGAN_STUDIO_BACKEND, root: process.env.DCGAN_STUDIO_CUDA_DOCTOR_ROOT }
    // The suite forces wasm (vitest.config.ts); this test is about the ladder's first rung.
    delete process.env.DCGAN_STUDIO_BACKEND
    process.env.DCGAN_STUDIO_CUDA_DOCTOR_ROOT = root
    try {
      server = await startStudioServer()
    } finally {
      if (saved.backend !== undefined) process.env.DCGAN_STUDIO_BACKEND = saved.backend
      if (saved.root === undefined) delete process.env.DCGAN_STUDIO_CUDA_DOCTOR_ROOT
      else process.env.DCGAN_STUDIO_CUDA_DOCTOR_ROOT = saved.root
    }
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    fs.rmSync(root, { recursive: true, force: true })
  })

  it('lists the CUDA doctor’s findings, problems first, each with what to do, and stays readable when narrow', async () => {
    for (const width of [1400, 760]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } })
      const problems: string[] = []
      page.on('pageerror', (err) => problems.push(err.message))
      await page.goto(server.urlWithToken)
      const findings = page.getByTestId('cuda-findings')
      await findings.waitFor()
      expect(await page.getByTestId('engine-gpu').textContent()).toBe(
        'not used — the tensorflow-gpu rung is not ready; the checks below say why and what to do'
      )
      // The ladder's attempt gives the doctor's summary as its reason.
      expect(await page.locator('.attempts li').first().textContent()).toMatch(/✗ tensorflow-gpu: .*CUDA 12 \/ cuDNN 9 found, needs 11\.x \/ 8\.x/)

      const open = findings.locator('> ul > [data-testid="cuda-finding"]')
      const levels = await open.evaluateAll((items: { getAttribute(name: string): string | null }[]) => items.map((item) => item.getAttribute('data-level')))
      // Problems come first, then warnings; what passed is folded away.
      expect(levels).toEqual([...levels].sort((a, b) => ['problem', 'warning', 'info'].indexOf(a ?? '') - ['problem', 'warning', 'info'].indexOf(b ?? '')))
      const byId = async (id: string): Promise<string> => (await findings.locator(`[data-id="${id}"]`).first().textContent()) ?? ''
      expect(await byId('versions')).toMatch(/CUDA 12 \/ cuDNN 9 found, needs 11\.x \/ 8\.x.*Install CUDA 11\.2 and cuDNN 8\.1 beside them/)
      expect(await byId('cuda')).toMatch(/CUDA 11 libraries missing: libcudart\.so\.11\.0/)
      expect(await byId('cudnn')).toMatch(/cuDNN 8 missing \(libcudnn\.so\.8\)/)
      expect(await byId('capability-0')).toMatch(/NVIDIA H200\) is sm_90: .*compiles its kernels from PTX for minutes/)
      if (!installed('@tensorflow/tfjs-node-gpu'))
        expect(await byId('package')).toMatch(/tfjs-node-gpu is not installed.*npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/)
      for (const problem of await open.and(page.locator('[data-level="problem"]')).all()) {
        expect(await problem.locator('.finding-action').textContent()).toMatch(/\w/)
      }
      // The passed checks open from the keyboard.
      const passed = findings.locator('details')
      expect(await passed.locator('summary').textContent()).toMatch(/checks? passed/)
      await passed.locator('summary').focus()
      await page.keyboard.press('Enter')
      expect(await passed.getAttribute('open')).not.toBeNull()
      expect(await passed.locator('[data-id="driver"]').textContent()).toMatch(/NVIDIA driver 550\.54\.15/)

      // Nothing spills out of the card at either width.
      const overflow = await page
        .getByTestId('engine-status')
        .evaluate((card: { scrollWidth: number; clientWidth: number }) => card.scrollWidth - card.clientWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      await page.getByTestId('engine-status').screenshot({ path: `${server.library}/engine-cuda-${width}.png` })
      expect(problems).toEqual([])
      await page.close()
    }
  })
})
