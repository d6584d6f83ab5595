import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * Web mode's gate, like Jupyter's: a random token in the printed URL. The first page load trades it for a
 * cookie (HttpOnly, SameSite=Strict) so the token leaves the address bar; every other request and the
 * WebSocket upgrade must carry the cookie or the token. Requests from a foreign Origin are refused outright,
 * and so is a Host header that is not ours (DNS rebinding).
 */
export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

export interface Gate {
  token: string
  cookieName: string
  /** Origins allowed to talk to us, e.g. http://127.0.0.1:5123. */
  origins: Set<string>
  /** Host headers we answer to. */
  hosts: Set<string>
}

export function makeGate(token: string, host: string, port: number): Gate {
  const names = new Set([host, '127.0.0.1', 'localhost'])
  if (host === '0.0.0.0' || host === '::') names.delete(host)
  const hosts = new Set([...names].map((name) => `${name}:${port}`))
  return {
    token,
    cookieName: `dcgan_studio_${port}`,
    origins: new Set([...hosts].map((h) => `http://${h}`)),
    hosts
  }
}

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; reason: string }

export function checkRequest(gate: Gate, req: IncomingMessage, url: URL, anyHost = false): Verdict {
  const origin = req.headers.origin
  if (origin !== undefined && !gate.origins.has(origin)) {
    return { ok: false, reason: `requests from origin ${origin} are not allowed` }
  }
  if (!anyHost && !gate.hosts.has(req.headers.host ?? '')) {
    return { ok: false, reason: `unexpected Host header ${req.headers.host ?? '(none)'}` }
  }
  const queryToken = url.searchParams.get('token')
  if (queryToken !== null) {
    return sameSecret(queryToken, gate.token)
      ? { ok: true, viaQuery: true }
      : { ok: false, reason: 'wrong token' }
  }
  const cookieToken = readCookie(req.headers.cookie, gate.cookieName)
  if (cookieToken !== null && sameSecret(cookieToken, gate.token)) return { ok: true, viaQuery: false }
  return { ok: false, reason: cookieToken === null ? 'missing token' : 'wrong token' }
}

export function sessionCookie(gate: Gate): string {
  return `${gate.cookieName}=${gate.token}; HttpOnly; SameSite=Strict; Path=/`
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=')
  }
  return null
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
