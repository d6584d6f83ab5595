import type { IncomingMessage } from 'node:http'
import type { NetworkInterfaceInfo } from 'node:os'
import { describe, expect, it } from 'vitest'
import { type Machine, reachableNames } from '../../src/main/web/addresses'
import { checkRequest, makeGate, parseOrigin, sessionCookie, tokenProblem } from '../../src/main/web/auth'

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage
}

const TOKEN = 'secret-token-0123456789abcdefghijkl'

describe('web mode gate', () => {
  const gate = makeGate(TOKEN, 5000, ['127.0.0.1', 'localhost'])
  const host = { host: '127.0.0.1:5000' }

  it('accepts the token in the query, then the session cookie', () => {
    expect(checkRequest(gate, request(host), new URL(`http://x/?token=${TOKEN}`))).toEqual({ ok: true, viaQuery: true })
    const cookie = sessionCookie(gate).split(';')[0] as string
    expect(checkRequest(gate, request({ ...host, cookie }), new URL('http://x/'))).toEqual({ ok: true, viaQuery: false })
  })

  it('refuses a missing or wrong token', () => {
    expect(checkRequest(gate, request(host), new URL('http://x/'))).toMatchObject({ ok: false, reason: 'missing token' })
    expect(checkRequest(gate, request(host), new URL('http://x/?token=nope'))).toMatchObject({ ok: false, reason: 'wrong token' })
    expect(checkRequest(gate, request({ ...host, cookie: `${gate.cookieName}=nope` }), new URL('http://x/'))).toMatchObject({ ok: false })
    // The token itself is not the cookie.
    expect(checkRequest(gate, request({ ...host, cookie: `${gate.cookieName}=${TOKEN}` }), new URL('http://x/'))).toMatchObject({ ok: false })
  })

  it('refuses a foreign Origin even with the right token, and a foreign Host (DNS rebinding)', () => {
    const url = new URL(`http://x/?token=${TOKEN}`)
    expect(checkRequest(gate, request({ ...host, origin: 'http://evil.example' }), url)).toMatchObject({ ok: false })
    expect(checkRequest(gate, request({ ...host, origin: 'null' }), url)).toMatchObject({ ok: false })
    expect(checkRequest(gate, request({ ...host, origin: 'http://127.0.0.1:5000' }), url)).toMatchObject({ ok: true })
    expect(checkRequest(gate, request({ ...host, origin: 'http://localhost:5000' }), url)).toMatchObject({ ok: true })
    expect(checkRequest(gate, request({ host: 'evil.example:5000' }), url)).toMatchObject({ ok: false })
    expect(checkRequest(gate, request({ host: '127.0.0.1:5001' }), url)).toMatchObject({ ok: false })
    expect(checkRequest(gate, request({ host: '127.0.0.1:5000/x' }), url)).toMatchObject({ ok: false })
    expect(checkRequest(gate, request({}), url)).toMatchObject({ ok: false })
  })

  it('compares IPv6 hosts in brackets and host names in any case, as browsers send them', () => {
    const v6 = makeGate(TOKEN, 5000, ['::1', 'localhost'])
    const url = new URL(`http://x/?token=${TOKEN}`)
    expect([...v6.hosts]).toEqual(['[::1]:5000', 'localhost:5000'])
    expect(checkRequest(v6, request({ host: '[::1]:5000', origin: 'http://[::1]:5000' }), url)).toMatchObject({ ok: true })
    expect(checkRequest(v6, request({ host: '[0:0:0:0:0:0:0:1]:5000' }), url)).toMatchObject({ ok: true })
    expect(checkRequest(v6, request({ host: 'LocalHost:5000' }), url)).toMatchObject({ ok: true })
    expect(checkRequest(v6, request({ host: '::1:5000' }), url)).toMatchObject({ ok: false })
    expect(checkRequest(v6, request({ host: '127.0.0.1:5000' }), url)).toMatchObject({ ok: false })
  })

  it('on port 80 admits the Host and Origin without the port, as browsers leave the default out', () => {
    const gate80 = makeGate(TOKEN, 80, ['192.0.2.7'])
    const url = new URL(`http://x/?token=${TOKEN}`)
    expect(checkRequest(gate80, request({ host: '192.0.2.7', origin: 'http://192.0.2.7' }), url)).toMatchObject({ ok: true })
  })

  it('admits each allowed origin as Origin and its host as Host, with or without a default port', () => {
    const proxied = makeGate(TOKEN, 5000, ['127.0.0.1'], ['https://studio.example.org', 'http://localhost:9000'])
    const url = new URL(`http://x/?token=${TOKEN}`)
    expect(checkRequest(proxied, request({ host: 'studio.example.org', origin: 'https://studio.example.org' }), url)).toMatchObject({ ok: true })
    expect(checkRequest(proxied, request({ host: 'studio.example.org:443' }), url)).toMatchObject({ ok: true })
    expect(checkRequest(proxied, request({ host: 'localhost:9000', origin: 'http://localhost:9000' }), url)).toMatchObject({ ok: true })
    expect(checkRequest(proxied, request({ host: 'studio.example.org', origin: 'http://studio.example.org' }), url)).toMatchObject({ ok: false })
    expect(checkRequest(proxied, request({ host: 'localhost:5000' }), url)).toMatchObject({ ok: false })
  })

  it('gives every port its own cookie, none of which holds the token', () => {
    const a = makeGate(TOKEN, 5000, ['127.0.0.1'])
    const b = makeGate(TOKEN, 5001, ['127.0.0.1'])
    expect(a.cookieName).not.toBe(b.cookieName)
    expect(a.cookieValue).not.toBe(b.cookieValue)
    expect(a.cookieValue).not.toContain(TOKEN)
    expect(makeGate(TOKEN, 5000, ['localhost']).cookieValue).toBe(a.cookieValue)
    const planted = `${b.cookieName}=${a.cookieValue}; ${a.cookieName}=${a.cookieValue}`
    expect(checkRequest(b, request({ host: '127.0.0.1:5001', cookie: planted }), new URL('http://x/'))).toMatchObject({ ok: false, reason: 'wrong token' })
    const both = `${b.cookieName}=planted; ${b.cookieName}=${b.cookieValue}`
    expect(checkRequest(b, request({ host: '127.0.0.1:5001', cookie: both }), new URL('http://x/'))).toMatchObject({ ok: true })
  })
})

describe('a fixed token', () => {
  it('must be long, URL-safe and not a few characters repeated', () => {
    expect(tokenProblem('a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6')).toBeNull()
    expect(tokenProblem('Zm9vYmFyYmF6cXV4LXRva2VuXzEyMzQ1')).toBeNull()
    expect(tokenProblem('short')).toMatch(/5 characters long.*at least 32/)
    expect(tokenProblem(`${'x'.repeat(31)}/`)).toMatch(/other than letters, digits/)
    expect(tokenProblem('ab'.repeat(20))).toMatch(/only 2 different characters/)
  })
})

describe('an allowed origin', () => {
  it('is an http(s) origin without path, query or user', () => {
    expect(parseOrigin('http://localhost:9000')).toEqual({ origin: 'http://localhost:9000' })
    expect(parseOrigin('https://Studio.Example.org:443/')).toEqual({ origin: 'https://studio.example.org' })
    expect(parseOrigin('http://[::1]:9000')).toEqual({ origin: 'http://[::1]:9000' })
    for (const bad of ['localhost:9000', 'ftp://x.example', 'http://x.example/app', 'http://u:p@x.example', 'http://x.example/?a=1', '*', 'null']) {
      expect(parseOrigin(bad)).toMatchObject({ problem: expect.stringContaining(`"${bad}"`) })
    }
  })
})

describe('the names web mode answers to', () => {
  const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
    ({ address, family, internal, netmask: '', mac: '', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo
  const machine: Machine = {
    hostname: 'GPU-Box',
    interfaces: {
      lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
      eth0: [nic('10.1.2.3', 'IPv4'), nic('fd00::7', 'IPv6'), nic('fe80::1', 'IPv6')]
    }
  }

  it('on 0.0.0.0: the hostname, every IPv4 address (loopback last) and localhost', () => {
    expect(reachableNames('0.0.0.0', '0.0.0.0', machine)).toEqual(['GPU-Box', '10.1.2.3', '127.0.0.1', 'localhost'])
  })

  it('on ::: the IPv6 addresses too, but not link-local ones', () => {
    expect(reachableNames('::', '::', machine)).toEqual(['GPU-Box', '10.1.2.3', 'fd00::7', '127.0.0.1', '::1', 'localhost'])
  })

  it('on one address: that address, and localhost only when it is loopback', () => {
    expect(reachableNames('127.0.0.2', '127.0.0.2', machine)).toEqual(['127.0.0.2', 'localhost'])
    expect(reachableNames('::1', '::1', machine)).toEqual(['::1', 'localhost'])
    expect(reachableNames('10.1.2.3', '10.1.2.3', machine)).toEqual(['10.1.2.3'])
    expect(reachableNames('localhost', '127.0.0.1', machine)).toEqual(['localhost', '127.0.0.1'])
  })
})
