import * as http from 'node:http'
import * as net from 'node:net'
import * as os from 'node:os'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { builtPaths } from '../../src/main/services/app-paths'
import { launchNodeEngine } from '../../src/main/services/engine-process'
import { Studio } from '../../src/main/services/studio'
import { type WebServer, startWebServer } from '../../src/main/web/server'
import { decodeFrame, encodeFrame } from '../../src/shared/api/wire'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { startStudioServer } from '../support/studio-server'
import { launchChromium } from '../support/system-packages'

// Web mode reached the way a remote browser reaches it: real servers on loopback addresses other than
// 127.0.0.1 (Linux routes all of 127/8 to lo), on ::1 and on every interface, real HTTP requests and real
// WebSocket connections carrying the Host and Origin headers a browser sends, and headless Chromium.

beforeAll(() => ensureBuilt(), 300_000)

const TOKEN = 'remote-test-token-0123456789abcdefghijklmnop'
let library: string
let studio: Studio
const servers: WebServer[] = []

beforeAll(async () => {
  library = tempDir('web-remote')
  studio = await Studio.open({ libraryRoot: library, launcher: launchNodeEngine })
})

afterAll(async () => {
  for (const server of servers) await server.close()
  await studio?.close()
})

async function serveOn(host: string, extra: { token?: string; allowOrigins?: string[] } = {}): Promise<WebServer> {
  const server = await startWebServer({ studio, rendererDir: builtPaths.renderer(), host, port: 0, ...extra })
  servers.push(server)
  return server
}

/** Where a test connects to and the Host/Origin a browser that opened `pageUrl` sends. */
interface Target {
  /** The address the socket connects to (a name in the URL connects to `fallback`). */
  address: string
  port: number
  host: string
  origin: string
}

function target(pageUrl: string, fallback = '127.0.0.1'): Target {
  const url = new URL(pageUrl)
  const hostname = url.hostname.replace(/^\[|\]$/g, '')
  return { address: net.isIP(hostname) ? hostname : fallback, port: Number(url.port), host: url.host, origin: url.origin }
}

interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
}

function get(to: Target, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: to.address, port: to.port, path, headers: { Host: to.host, ...headers } }, (res) => {
      res.resume()
      resolve({ status: res.statusCode ?? 0, headers: res.headers })
    })
    req.on('error', reject)
  })
}

/** Opens the page with its token as a browser does (a navigation: no Origin) and returns the session cookie. */
async function login(to: Target, token: string): Promise<string> {
  const reply = await get(to, `/?token=${token}`)
  expect(reply.status).toBe(302)
  expect(reply.headers.location).toBe('/')
  const cookie = reply.headers['set-cookie']?.[0] ?? ''
  expect(cookie).toMatch(/HttpOnly; SameSite=Strict; Path=\//)
  return cookie.split(';')[0] as string
}

/** A WebSocket upgrade to /api: 'open' (then closed) or 'refused STATUS'. */
function upgrade(to: Target, headers: Record<string, string>): Promise<string> {
  return connect(to, headers).then(
    (ws) => {
      ws.close()
      return 'open'
    },
    (err: unknown) => (err as Error).message
  )
}

function connect(to: Target, headers: Record<string, string>): Promise<WebSocket> {
  const address = net.isIPv6(to.address) ? `[${to.address}]` : to.address
  const { Origin: origin, ...rest } = headers
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${address}:${to.port}/api`, { headers: { Host: to.host, ...rest }, ...(origin ? { origin } : {}) })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

async function call(ws: WebSocket, method: string, params: unknown = {}): Promise<{ ok: boolean; result?: unknown }> {
  const reply = new Promise<unknown>((resolve) => ws.once('message', (data: Buffer) => resolve(decodeFrame(new Uint8Array(data)))))
  ws.send(encodeFrame({ t: 'call', id: 1, method, params }))
  const message = (await reply) as { t: string; outcome: { ok: boolean; result?: unknown } }
  expect(message.t).toBe('result')
  return message.outcome
}

/** What a browser that opened `pageUrl` can do: log in, load the page, open the API socket and call the studio. */
async function expectUsableAt(page: string | Target, token: string, fallback?: string): Promise<void> {
  const to = typeof page === 'string' ? target(page, fallback) : page
  const cookie = await login(to, token)
  const reply = await get(to, '/', { Cookie: cookie })
  expect(reply.status).toBe(200)
  if (!to.host.startsWith('[')) expect(reply.headers['content-security-policy']).toContain(to.origin.replace(/^http/, 'ws'))
  const ws = await connect(to, { Cookie: cookie, Origin: to.origin })
  try {
    const outcome = await call(ws, 'library.info')
    expect(outcome).toMatchObject({ ok: true, result: { root: library } })
  } finally {
    ws.close()
  }
}

/** Everything a page or socket on `to` must refuse even though `cookie` is right. */
async function expectRefusals(to: Target, cookie: string): Promise<void> {
  const evilHost = { ...to, host: `evil.example:${to.port}` }
  // Page requests: no cookie, a forged cookie, a foreign Origin, and a rebound DNS name (foreign Host).
  expect((await get(to, '/')).status).toBe(403)
  expect((await get(to, '/', { Cookie: `${cookie.split('=')[0]}=forged` })).status).toBe(403)
  expect((await get(to, '/', { Cookie: cookie, Origin: 'http://evil.example' })).status).toBe(403)
  expect((await get(evilHost, '/', { Cookie: cookie })).status).toBe(403)
  expect((await get(evilHost, `/?token=${TOKEN}`)).status).toBe(403)
  // The same for the WebSocket upgrade.
  expect(await upgrade(to, { Origin: to.origin })).toBe('refused 403')
  expect(await upgrade(to, { Cookie: `${cookie.split('=')[0]}=forged`, Origin: to.origin })).toBe('refused 403')
  expect(await upgrade(to, { Cookie: cookie, Origin: 'http://evil.example' })).toBe('refused 403')
  expect(await upgrade(evilHost, { Cookie: cookie, Origin: `http://${evilHost.host}` })).toBe('refused 403')
  expect(await upgrade(to, { Cookie: cookie, Origin: to.origin })).toBe('open')
}

describe('web mode on one address', () => {
  for (const host of ['127.0.0.2', '::1']) {
    it(`on ${host}: prints its URL, trades the token for a cookie, carries the API, refuses the rest`, async () => {
      const server = await serveOn(host, { token: TOKEN })
      const shown = net.isIPv6(host) ? `[${host}]` : host
      expect(server.urlWithToken).toBe(`http://${shown}:${server.port}/?token=${TOKEN}`)
      expect(server.urlsWithToken).toEqual([server.urlWithToken, `http://localhost:${server.port}/?token=${TOKEN}`])
      await expectUsableAt(server.urlWithToken, TOKEN)
      // Loopback: a browser on this machine may call it localhost.
      await expectUsableAt(`http://localhost:${server.port}/`, TOKEN, host)
      const to = target(server.url)
      await expectRefusals(to, await login(to, TOKEN))
      // Not an address we listen on, though the socket got here through loopback.
      expect((await get({ ...to, host: `127.0.0.1:${server.port}` }, `/?token=${TOKEN}`)).status).toBe(403)
    })
  }

  it('admits no localhost names for an address that is not loopback', async (ctx) => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && !a.internal && a.family === 'IPv4')
    if (!external) return ctx.skip('this machine has loopback only: no other address to listen on')
    const server = await serveOn(external.address, { token: TOKEN })
    expect(server.urlsWithToken).toEqual([`http://${external.address}:${server.port}/?token=${TOKEN}`])
    await expectUsableAt(server.urlWithToken, TOKEN)
    expect((await get({ ...target(server.url), host: `localhost:${server.port}` }, `/?token=${TOKEN}`)).status).toBe(403)
  })
})

describe('web mode on every interface', () => {
  function expectedNames(family: 'IPv4' | 'both'): string[] {
    const addresses = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && (family === 'both' || a.family === 'IPv4') && !a.address.startsWith('fe80:'))
      .map((a) => (a?.family === 'IPv6' ? `[${a.address}]` : (a?.address as string)))
    return [os.hostname().toLowerCase(), ...addresses, 'localhost']
  }

  it('on 0.0.0.0: prints every URL it can be opened at, works through each, and keeps the Host check', async () => {
    const server = await serveOn('0.0.0.0', { token: TOKEN })
    const hosts = server.urlsWithToken.map((u) => new URL(u).hostname)
    expect(new Set(hosts)).toEqual(new Set(expectedNames('IPv4')))
    expect(hosts).not.toContain('0.0.0.0')
    for (const url of server.urlsWithToken) await expectUsableAt(url, TOKEN)
    const to = target(`http://127.0.0.1:${server.port}/`)
    await expectRefusals(to, await login(to, TOKEN))
    // 127.0.0.3 reaches the socket (all of 127/8 is loopback) but is no interface's address: DNS rebinding
    // to it must not work either.
    expect((await get({ ...to, address: '127.0.0.3', host: `127.0.0.3:${server.port}` }, `/?token=${TOKEN}`)).status).toBe(403)
    expect(await upgrade({ ...to, host: `[::1]:${server.port}` }, { Origin: `http://[::1]:${server.port}` })).toBe('refused 403')
  })

  it('on ::: admits the IPv6 addresses too, in brackets as browsers send them', async () => {
    const server = await serveOn('::', { token: TOKEN })
    const hosts = server.urlsWithToken.map((u) => new URL(u).hostname)
    expect(new Set(hosts)).toEqual(new Set(expectedNames('both')))
    expect(hosts).toContain('[::1]')
    for (const url of server.urlsWithToken) await expectUsableAt(url, TOKEN)
  })

  it('admits each --allow-origin as Origin and as Host (an SSH tunnel or a reverse proxy)', async () => {
    const server = await serveOn('0.0.0.0', { token: TOKEN, allowOrigins: ['http://tunnel.example:9000', 'https://studio.example.org/'] })
    // A tunnel that keeps the browser's Host header, and a proxy that serves https on the default port.
    await expectUsableAt({ address: '127.0.0.1', port: server.port, host: 'tunnel.example:9000', origin: 'http://tunnel.example:9000' }, TOKEN)
    const proxy = { address: '127.0.0.1', port: server.port, host: 'studio.example.org', origin: 'https://studio.example.org' }
    const cookie = await login(proxy, TOKEN)
    expect(await upgrade(proxy, { Cookie: cookie, Origin: proxy.origin })).toBe('open')
    const page = await get(proxy, '/', { Cookie: cookie })
    expect(page.headers['content-security-policy']).toContain('wss://studio.example.org')
    expect(await upgrade(proxy, { Cookie: cookie, Origin: 'http://studio.example.org' })).toBe('refused 403')
    expect((await get({ ...proxy, host: 'tunnel.example:9001' }, `/?token=${TOKEN}`)).status).toBe(403)
  })
})

describe('the session cookie', () => {
  it('is bound to its server: a cookie another port of the same host set or saw never authenticates here', async () => {
    // Two studios on one host with the same fixed token: the browser sends both cookies to both ports.
    const a = await serveOn('127.0.0.2', { token: TOKEN })
    const b = await serveOn('127.0.0.2', { token: TOKEN })
    const toA = target(a.url)
    const toB = target(b.url)
    const cookieA = await login(toA, TOKEN)
    const cookieB = await login(toB, TOKEN)
    const valueA = cookieA.split('=')[1] as string
    expect(cookieA.split('=')[0]).toBe(`dcgan_studio_${a.port}`)
    expect(valueA).not.toBe(cookieB.split('=')[1])
    expect(valueA).not.toContain(TOKEN)
    // A's cookie as it is, and A's value under B's name (what a hostile server on port A could plant).
    expect((await get(toB, '/', { Cookie: cookieA })).status).toBe(403)
    expect((await get(toB, '/', { Cookie: `dcgan_studio_${b.port}=${valueA}` })).status).toBe(403)
    expect(await upgrade(toB, { Cookie: `dcgan_studio_${b.port}=${valueA}`, Origin: toB.origin })).toBe('refused 403')
    // B's own cookie works among the others the browser sends, whatever their order.
    expect((await get(toB, '/', { Cookie: `dcgan_studio_${b.port}=planted; ${cookieA}; ${cookieB}` })).status).toBe(200)
    expect(await upgrade(toB, { Cookie: `${cookieA}; ${cookieB}`, Origin: toB.origin })).toBe('open')
  })
})

describe('the gate options', () => {
  it('refuses a short or weak --token, and an --allow-origin that is not an http(s) origin', async () => {
    await expect(serveOn('127.0.0.2', { token: 'short' })).rejects.toThrow(/at least 32 characters/)
    await expect(serveOn('127.0.0.2', { token: 'a'.repeat(40) })).rejects.toThrow(/at least 10 of them different/)
    await expect(serveOn('127.0.0.2', { token: `${'x'.repeat(32)} space` })).rejects.toThrow(/letters, digits/)
    await expect(serveOn('127.0.0.2', { allowOrigins: ['ftp://x.example'] })).rejects.toThrow(/ftp:\/\/x\.example.*http/)
    await expect(serveOn('127.0.0.2', { allowOrigins: ['http://x.example/app'] })).rejects.toThrow(/origin/)
    await expect(serveOn('127.0.0.2', { allowOrigins: ['*'] })).rejects.toThrow(/"\*"/)
  })

  it('dcgan-studio serve says what a token needs and exits with the usage code', async () => {
    const short = await runCli(['serve', '--library', library, '--host', '127.0.0.2', '--token', 'short'])
    expect(short.code).toBe(2)
    expect(short.lines[0]).toMatchObject({ error: { code: 'usage', message: expect.stringMatching(/--token.*at least 32 characters/) } })
    const origin = await runCli(['serve', '--library', library, '--allow-origin', 'localhost:9000'])
    expect(origin.code).toBe(2)
    expect(origin.lines[0]).toMatchObject({ error: { code: 'usage', message: expect.stringMatching(/--allow-origin.*localhost:9000/) } })
  })
})

describe('in a browser', () => {
  const hostname = os.hostname().toLowerCase()

  /** Opens `urlWithToken`; resolves once the page has listed the library over its WebSocket. */
  async function expectPageWorks(browser: Browser, urlWithToken: string): Promise<void> {
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('pageerror', (err) => problems.push(err.message))
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text())
    })
    try {
      await page.goto(urlWithToken)
      expect(page.url()).toBe(urlWithToken.replace(/\?token=.*$/, ''))
      // The demo card comes from library.info over the WebSocket; the "connecting…" pill is gone.
      await page.getByTestId('demo-card').waitFor()
      expect(await page.getByTestId('connection-state').count()).toBe(0)
      expect(problems.join('\n')).toBe('')
    } finally {
      await page.close()
    }
  }

  it('dcgan-studio serve --host 0.0.0.0: the page opened by hostname, interface address or tunnel connects its WebSocket', async () => {
    const server = await startStudioServer(['--host', '0.0.0.0', '--allow-origin', 'http://tunnel.example:9000'], tempDir('web-remote-cli'))
    // The names a remote browser would resolve through DNS lead here; tunnel.example:9000 stands for the
    // local end of an SSH tunnel (ssh -L 9000:localhost:PORT), which passes the browser's Host header on.
    const browser = await launchChromium([`--host-resolver-rules=MAP ${hostname} 127.0.0.1, MAP tunnel.example:9000 127.0.0.1:${server.port}`])
    try {
      const byHostname = `http://${hostname}:${server.port}/?token=${server.token}`
      expect(server.urls).toContain(byHostname)
      await expectPageWorks(browser, byHostname)
      const external = server.urls.find((u) => net.isIPv4(new URL(u).hostname) && !new URL(u).hostname.startsWith('127.'))
      if (external) await expectPageWorks(browser, external)
      await expectPageWorks(browser, `http://tunnel.example:9000/?token=${server.token}`)
    } finally {
      await browser.close()
      await server.stop()
    }
  })

  it('web mode on ::1: the page at http://[::1]:PORT/ connects its WebSocket', async () => {
    const server = await serveOn('::1')
    const browser = await launchChromium()
    try {
      await expectPageWorks(browser, server.urlWithToken)
    } finally {
      await browser.close()
    }
  })
})
