import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { WireFormatError, WsClientMessage, decodeFrame, encodeFrame } from '../../shared/api/wire'
import { SECURITY_HEADERS, rendererCsp } from '../security/csp'
import { mimeType, resolveConfined } from '../security/static-files'
import type { Studio } from '../services/studio'
import { type Gate, checkRequest, makeGate, newToken, sessionCookie } from './auth'

export interface WebServerOptions {
  studio: Studio
  /** The built renderer (index.html and assets). */
  rendererDir: string
  host?: string
  /** 0 picks a random free port. */
  port?: number
  /** A fixed token (`--token`); a random one otherwise. */
  token?: string
}

export interface WebServer {
  url: string
  /** The URL with the token, to print or open. */
  urlWithToken: string
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
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? newToken()
  let gate: Gate = makeGate(token, host, 0)
  const anyHost = host === '0.0.0.0' || host === '::'

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const verdict = checkRequest(gate, req, url, anyHost)
    if (!verdict.ok) {
      respondText(res, 403, `Forbidden: ${verdict.reason}. Open the URL printed by "dcgan-studio serve" (it carries the token).`)
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      respondText(res, 405, 'Method not allowed')
      return
    }
    if (verdict.viaQuery) {
      // Trade the token for a cookie and take it out of the address bar and history.
      url.searchParams.delete('token')
      res.writeHead(302, { 'Set-Cookie': sessionCookie(gate), Location: url.pathname + url.search, ...SECURITY_HEADERS })
      res.end()
      return
    }
    const file = resolveConfined(options.rendererDir, url.pathname === '/' ? '/index.html' : url.pathname)
    if (!file) {
      respondText(res, 404, 'Not found')
      return
    }
    res.writeHead(200, {
      'Content-Type': mimeType(file),
      'Content-Security-Policy': rendererCsp([...gate.origins].map((o) => o.replace(/^http/, 'ws'))),
      'Cache-Control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
      ...SECURITY_HEADERS
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
    const verdict = checkRequest(gate, req, url, anyHost)
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
  const port = (server.address() as AddressInfo).port
  gate = makeGate(token, host, port)
  const shownHost = anyHost ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  const url = `http://${shownHost}:${port}/`
  return {
    url,
    urlWithToken: `${url}?token=${token}`,
    port,
    token,
    close: async () => {
      for (const client of wss.clients) client.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function respondText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
  res.end(`${text}\n`)
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
