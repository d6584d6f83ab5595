import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { canonicalHost, hostHeader, isLoopback } from './addresses'

/**
 * Web mode's gate, like Jupyter's: a random token in the printed URL. The first page load trades it for a
 * cookie (HttpOnly, SameSite=Strict) so the token leaves the address bar; every other request and the
 * WebSocket upgrade must carry the cookie or the token. Requests from an Origin we are not reachable at are
 * refused outright, and so is a Host header that is not one of our names (DNS rebinding): both are checked
 * against the same list, the names the server prints plus each `--allow-origin`.
 */
export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

/**
 * What a fixed `--token` must be. Anyone who guesses it can use the studio (and read and write the library),
 * so it has to be as hard to guess as the random ones (24 random bytes, 32 characters): long, drawn from
 * the characters a URL carries as they are, and not a repetition of a few characters.
 */
export const TOKEN_RULE = 'at least 32 characters, only letters, digits, "-" and "_", at least 10 of them different (make one with "openssl rand -hex 32")'

export function tokenProblem(token: string): string | null {
  if (token.length < 32) return `the token is ${token.length} characters long; it must be ${TOKEN_RULE}`
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return `the token has characters other than letters, digits, "-" and "_"; it must be ${TOKEN_RULE}`
  if (new Set(token).size < 10) return `the token uses only ${new Set(token).size} different characters; it must be ${TOKEN_RULE}`
  return null
}

/** `value` as an origin a browser sends (scheme://host[:port]), or why it is not one. */
export function parseOrigin(value: string): { origin: string } | { problem: string } {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { problem: `"${value}" is not a URL; give an origin such as http://localhost:9000 or https://studio.example.org` }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `"${value}" is not an http or https origin` }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
    return { problem: `"${value}" is not a bare origin (scheme://host[:port], no path, query or user); the studio is served at / only` }
  }
  return { origin: url.origin }
}

export interface Gate {
  token: string
  /** Per port, so two servers on one host never read each other's cookie as their own. */
  cookieName: string
  /** What the cookie holds: bound to this token and port (see sessionCookieValue). */
  cookieValue: string
  /** Origins allowed to talk to us, e.g. http://127.0.0.1:5123. */
  origins: Set<string>
  /** Host headers we answer to, e.g. 127.0.0.1:5123 or [::1]:5123. */
  hosts: Set<string>
  /**
   * Those of the hosts whose origin browsers count as potentially trustworthy (loopback, or https through a
   * proxy): only there do they apply Cross-Origin-Opener-Policy; elsewhere they ignore it with a console error.
   */
  trustworthyHosts: Set<string>
}

/**
 * The gate of a server on `port` that browsers reach by `names` (see reachableNames) and, through a tunnel
 * or a proxy, by the `allowOrigins` (already valid origins).
 */
export function makeGate(token: string, port: number, names: string[], allowOrigins: string[] = []): Gate {
  const hosts = new Set<string>()
  const origins = new Set<string>()
  const trustworthyHosts = new Set<string>()
  for (const name of names) {
    const host = hostHeader(name, port)
    if (host === null) continue
    hosts.add(host)
    origins.add(`http://${host}`)
    if (isLoopback(name)) trustworthyHosts.add(host)
  }
  for (const value of allowOrigins) {
    const url = new URL(value)
    origins.add(url.origin)
    // What the tunnel or proxy passes on as Host: the browser's (which leaves out a default port), or the
    // same with the port spelled out.
    for (const host of [url.host, `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`]) {
      const canonical = canonicalHost(host)
      if (canonical === null) continue
      hosts.add(canonical)
      if (url.protocol === 'https:' || isLoopback(url.hostname)) trustworthyHosts.add(canonical)
    }
  }
  return { token, cookieName: `dcgan_studio_${port}`, cookieValue: sessionCookieValue(token, port), origins, hosts, trustworthyHosts }
}

/**
 * Browsers keep cookies per host, not per port: every server on this host, on any port, receives our cookie
 * and can set one under our name. `__Host-` cookies would stop the setting, but need Secure, which plain
 * http cannot have. So the cookie holds neither the token nor anything another server can make: an HMAC of
 * the port keyed with the token. A server on another port that sees it learns no token and no cookie for
 * any other port (two studios with the same `--token` get different cookies), and a cookie planted under
 * our name authenticates nothing without our token. It stays the same across restarts with the same
 * `--token` and `--port`, so an open page reconnects. What no cookie over plain http can prevent is that
 * other server replaying the cookie it saw; that is why remote use goes over a trusted network or an SSH
 * tunnel (README).
 */
function sessionCookieValue(token: string, port: number): string {
  return createHmac('sha256', token).update(`dcgan-studio session for port ${port}`).digest('base64url')
}

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; reason: string }

export function checkRequest(gate: Gate, req: IncomingMessage, url: URL): Verdict {
  const origin = req.headers.origin
  // Browsers send Origin on WebSocket upgrades and cross-origin requests; a navigation carries none.
  if (origin !== undefined && !gate.origins.has(canonicalOrigin(origin))) {
    return { ok: false, reason: `requests from origin ${origin} are not allowed (see --allow-origin)` }
  }
  const host = canonicalHost(req.headers.host ?? '')
  if (host === null || !gate.hosts.has(host)) {
    return { ok: false, reason: `unexpected Host header ${req.headers.host ?? '(none)'} (see --allow-origin)` }
  }
  const queryToken = url.searchParams.get('token')
  if (queryToken !== null) {
    return sameSecret(queryToken, gate.token) ? { ok: true, viaQuery: true } : { ok: false, reason: 'wrong token' }
  }
  const cookies = readCookies(req.headers.cookie, gate.cookieName)
  if (cookies.some((value) => sameSecret(value, gate.cookieValue))) return { ok: true, viaQuery: false }
  return { ok: false, reason: cookies.length === 0 ? 'missing token' : 'wrong token' }
}

export function sessionCookie(gate: Gate): string {
  return `${gate.cookieName}=${gate.cookieValue}; HttpOnly; SameSite=Strict; Path=/`
}

function canonicalOrigin(value: string): string {
  try {
    return new URL(value).origin
  } catch {
    return value
  }
}

/** Every value of cookie `name`: another server on this host may have set one under the same name. */
function readCookies(header: string | undefined, name: string): string[] {
  if (!header) return []
  const values: string[] = []
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) values.push(rest.join('='))
  }
  return values
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
