import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { WireFormatError, WsClientMessage, decodeFrame, encodeFrame } from '../../shared/api/wire'
import { SECURITY_HEADERS, rendererCsp } from '../security/csp'
import { mimeType, resolveConfined } from '../security/static-files'
import type { Studio } from '../services/studio'
import { canonicalHost, hostHeader, listenHost, reachableNames } from './addresses'
import { type Gate, checkRequest, makeGate, newToken, parseOrigin, sessionCookie, tokenProblem } from './auth'

export interface WebServerOptions {
  studio: Studio
  /** The built renderer (index.html and assets). */
  rendererDir: string
  /** The address to listen on: 127.0.0.1 by default; 0.0.0.0 or :: for every interface. */
  host?: string
  /** 0 picks a random free port. */
  port?: number
  /** A fixed token (`--token`, see TOKEN_RULE); a random one otherwise. */
  token?: string
  /** More origins browsers reach us by (`--allow-origin`): an SSH tunnel's local end, a reverse proxy. */
  allowOrigins?: string[]
}

export interface WebServer {
  url: string
  /** The URL with the token, to print or open: the first of urlsWithToken. */
  urlWithToken: string
  /** Every URL the server can be opened at (each address it is reachable by), with the token. */
  urlsWithToken: string[]
  /** The `allowOrigins`, canonical, each also admitted as a Host header. */
  allowedOrigins: string[]
  port: number
  token: string
  close(): Promise<void>
}

/** Largest WebSocket message accepted from a browser (requests are small; this only bounds abuse). */
const MAX_MESSAGE_BYTES = 1024 * 1024

/**
 * Web mode: the built renderer over HTTP and the Studio API over a WebSocket, on loopback by default, behind a
 * secret token. The same Studio services as the Electron app; only the transport differs.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = listenHost(options.host ?? '127.0.0.1')
  const token = options.token ?? newToken()
  const problem = tokenProblem(token)
  if (problem) throw new Error(`Cannot use this token: ${problem}.`)
  const allowedOrigins = (options.allowOrigins ?? []).map((value) => {
    const parsed = parseOrigin(value)
    if ('problem' in parsed) throw new Error(`Cannot allow this origin: ${parsed.problem}.`)
    return parsed.origin
  })
  // Until we know our port, nothing gets through.
  let gate: Gate = makeGate(token, 0, [])

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const verdict = checkRequest(gate, req, url)
    const headers = securityHeaders(gate, req)
    if (!verdict.ok) {
      respondText(res, headers, 403, `Forbidden: ${verdict.reason}. Open the URL printed by "dcgan-studio serve" (it carries the token).`)
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      respondText(res, headers, 405, 'Method not allowed')
      return
    }
    if (verdict.viaQuery) {
      // Trade the token for a cookie and take it out of the address bar and history.
      url.searchParams.delete('token')
      res.writeHead(302, { 'Set-Cookie': sessionCookie(gate), Location: url.pathname + url.search, ...headers })
      res.end()
      return
    }
    const file = resolveConfined(options.rendererDir, url.pathname === '/' ? '/index.html' : url.pathname)
    if (!file) {
      respondText(res, headers, 404, 'Not found')
      return
    }
    res.writeHead(200, {
      'Content-Type': mimeType(file),
      'Content-Security-Policy': rendererCsp(socketSources(gate)),
      'Cache-Control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
      ...headers
    })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    fs.createReadStream(file).pipe(res)
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const verdict = checkRequest(gate, req, url)
    if (url.pathname !== '/api' || !verdict.ok) {
      const reason = verdict.ok ? 'not found' : verdict.reason
      socket.end(`HTTP/1.1 ${verdict.ok ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, options.studio))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const bound = server.address() as AddressInfo
  const port = bound.port
  const names = reachableNames(host, bound.address)
  gate = makeGate(token, port, names, allowedOrigins)
  const urls = names.map((name) => `http://${hostHeader(name, port) as string}/`)
  const url = urls[0] as string
  return {
    url,
    urlWithToken: `${url}?token=${token}`,
    urlsWithToken: urls.map((u) => `${u}?token=${token}`),
    allowedOrigins,
    port,
    token,
    close: async () => {
      for (const client of wss.clients) client.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function respondText(res: http.ServerResponse, headers: Record<string, string>, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers })
  res.end(`${text}\n`)
}

/** The security headers, less Cross-Origin-Opener-Policy where the browser would only complain that it ignores it. */
function securityHeaders(gate: Gate, req: http.IncomingMessage): Record<string, string> {
  if (gate.trustworthyHosts.has(canonicalHost(req.headers.host ?? '') ?? '')) return SECURITY_HEADERS
  const { 'Cross-Origin-Opener-Policy': _ignored, ...rest } = SECURITY_HEADERS
  return rest
}

/**
 * The WebSocket origins for connect-src. CSP source expressions cannot name an IPv6 literal (browsers drop
 * `ws://[::1]:PORT` with a console error), so those pages rely on 'self', which covers ws: to the same host.
 */
function socketSources(gate: Gate): string[] {
  return [...gate.origins].filter((origin) => !origin.includes('[')).map((origin) => origin.replace(/^http/, 'ws'))
}

/** One browser connection: calls in, results and events out. */
function serveSocket(ws: WebSocket, studio: Studio): void {
  const send = (message: unknown): void => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(message))
  }
  const unsubscribe = studio.events.subscribe((event, payload) => send({ t: 'event', event, payload }))
  ws.on('close', unsubscribe)
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      ws.close(1003, 'binary frames only')
      return
    }
    let message: WsClientMessage
    try {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)])
      const parsed = WsClientMessage.safeParse(decodeFrame(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)))
      if (!parsed.success) throw new WireFormatError('not a Studio API call')
      message = parsed.data
    } catch (err) {
      ws.close(1007, err instanceof Error ? err.message.slice(0, 100) : 'malformed message')
      return
    }
    void studio.call(message.method, message.params).then((outcome) => send({ t: 'result', id: message.id, outcome }))
  })
}
