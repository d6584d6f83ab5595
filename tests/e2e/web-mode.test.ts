import { spawn } from 'node:child_process'
import * as http from 'node:http'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { builtPaths } from '../../src/main/services/app-paths'
import { decodeFrame, encodeFrame } from '../../src/shared/api/wire'
import { launchChromium } from '../support/system-packages'
import { tempDir } from '../support/fixtures'
import { type RunningServer, startStudioServer } from '../support/studio-server'
import { ensureBuilt } from '../support/build'

// Real web mode from the build (`dcgan-studio serve`), its real engine process, and Debian's Chromium.

beforeAll(() => ensureBuilt(), 300_000)

describe('web mode', () => {
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    server = await startStudioServer()
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('shows the engine status from the engine process and a grid of its samples', async () => {
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('pageerror', (err) => problems.push(err.message))
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text())
    })
    await page.goto(server.urlWithToken)
    // The token was traded for a cookie and taken out of the address bar.
    expect(page.url()).toBe(server.url)
    // The suite runs every engine on wasm (vitest.config.ts), whatever optional packages are installed.
    await expect.poll(() => page.getByTestId('engine-backend').textContent()).toContain('wasm')
    expect(await page.getByTestId('engine-gpu').textContent()).toMatch(/not used — not tried: the backend was set to wasm/)
    await page.getByTestId('generate-button').click()
    const grid = page.getByTestId('sample-grid')
    await grid.waitFor()
    expect(await grid.getAttribute('data-count')).toBe('16')
    // Drawn from the engine's raw pixels: the canvas holds varied colours, not a blank.
    const distinct = await grid.evaluate((element) => {
      // This callback runs in the page; the test's own types are Node's, so describe the canvas minimally.
      const canvas = element as unknown as BrowserCanvas
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height)
      const seen = new Set<number>()
      for (let i = 0; i < data.length; i += 4) seen.add(((data[i] ?? 0) << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0))
      return seen.size
    })
    expect(distinct).toBeGreaterThan(100)
    await page.screenshot({ path: `${server.library}/home.png`, fullPage: true })
    expect(problems.join('\n')).toBe('')
    await page.close()
  })

  it('opens an empty library with the demo model ready and a guided tour through it', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } })
    await page.goto(server.urlWithToken)
    await page.getByTestId('demo-card').waitFor()
    await page.getByTestId('demo-tour').click()
    const tour = page.getByTestId('tour')
    expect(await tour.textContent()).toMatch(/sample grid/)
    await expect.poll(() => page.getByTestId('explore-run').textContent()).toMatch(/Procedural faces \(demo\)/)
    await page.getByTestId('explore-generate').click()
    await expect.poll(() => page.getByTestId('explore-samples').getByRole('button').count()).toBe(16)
    for (const title of ['latent walk', 'Face arithmetic', 'discriminator learned']) {
      await page.getByTestId('tour-next').click()
      await expect.poll(() => tour.textContent()).toMatch(new RegExp(title))
    }
    expect(await page.getByTestId('features-panel').count()).toBe(1)
    // The demo's shipped erasure is there to choose.
    await page.getByTestId('tour-next').click()
    await expect.poll(() => tour.textContent()).toMatch(/Forgetting to draw/)
    const erasure = page.getByTestId('explore-erasure')
    await expect.poll(() => erasure.locator('option').count()).toBe(2)
    await erasure.selectOption({ index: 1 })
    expect(await page.getByTestId('erasure-badge').textContent()).toBe('drawing without: glasses (4 maps)')
    await page.screenshot({ path: `${server.library}/demo.png`, fullPage: true })
    await page.close()
  })

  it('refuses page requests without the token, with a wrong token, and from a foreign Origin', async () => {
    expect((await get(server.url)).statusCode).toBe(403)
    expect((await get(`${server.url}?token=wrong`)).statusCode).toBe(403)
    expect((await get(`${server.url}assets/`)).statusCode).toBe(403)
    expect((await get(`${server.url}?token=${server.token}`, { Origin: 'http://evil.example' })).statusCode).toBe(403)
    const ok = await get(`${server.url}?token=${server.token}`)
    expect(ok.statusCode).toBe(302)
    expect(ok.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/)
  })

  it('serves pages with a strict Content-Security-Policy and keeps paths inside the renderer folder', async () => {
    const cookie = (await get(`${server.url}?token=${server.token}`)).headers['set-cookie']?.[0]?.split(';')[0] ?? ''
    const page = await get(server.url, { Cookie: cookie })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/)
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-eval/)
    expect((await get(`${server.url}..%2f..%2fpackage.json`, { Cookie: cookie })).statusCode).toBe(404)
    expect((await get(`${server.url}%2e%2e/%2e%2e/package.json`, { Cookie: cookie })).statusCode).toBe(404)
  })

  it('refuses WebSocket upgrades without the token, with a wrong token, and from a foreign Origin', async () => {
    const wsUrl = server.url.replace(/^http/, 'ws') + 'api'
    expect(await upgrade(wsUrl)).toBe('refused 403')
    expect(await upgrade(`${wsUrl}?token=wrong`)).toBe('refused 403')
    expect(await upgrade(`${wsUrl}?token=${server.token}`, 'http://evil.example')).toBe('refused 403')
    expect(await upgrade(`${wsUrl}?token=${server.token}`, `http://127.0.0.1:${server.port}`)).toBe('open')
  })

  it('carries the Studio API over the WebSocket for a client with the token', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}api?token=${server.token}`)
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    const reply = new Promise<unknown>((resolve) => ws.once('message', (data: Buffer) => resolve(decodeFrame(new Uint8Array(data)))))
    ws.send(encodeFrame({ t: 'call', id: 1, method: 'explore.generate', params: { count: 2, seed: 4 } }))
    const message = (await reply) as { t: string; id: number; outcome: { ok: boolean; result: { samples: { image: { data: Uint8Array } }[] } } }
    expect(message.t).toBe('result')
    expect(message.outcome.ok).toBe(true)
    expect(message.outcome.result.samples[1]?.image.data).toBeInstanceOf(Uint8Array)
    expect(message.outcome.result.samples[1]?.image.data.length).toBe(64 * 64 * 4)
    ws.close()
  })
})

interface BrowserCanvas {
  width: number
  height: number
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
}

function get(url: string, headers: Record<string, string> = {}): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      res.resume()
      resolve(res)
    })
    req.on('error', reject)
  })
}

function upgrade(url: string, origin?: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {})
    ws.once('open', () => {
      ws.close()
      resolve('open')
    })
    ws.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`))
    ws.once('error', (err) => resolve(`error ${err.message}`))
  })
}

describe('npm start', () => {
  it('falls back to web mode when Electron cannot start here, and says why', async () => {
    const env = { ...process.env }
    delete env.DISPLAY
    delete env.WAYLAND_DISPLAY
    const child = spawn(process.execPath, [builtPaths.cli(), 'start', '--json', '--port', '0', '--library', tempDir('start-library')], {
      env,
      stdio: ['ignore', 'pipe', 'inherit']
    })
    try {
      const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())))
      const listening = JSON.parse(first.split('\n')[0] as string) as { mode: string; reason: string; url: string }
      expect(listening.mode).toBe('web')
      expect(listening.reason).toMatch(/no display/)
      expect(listening.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/)
      expect((await get(listening.url)).statusCode).toBe(302)
    } finally {
      child.kill('SIGTERM')
    }
  })
})
