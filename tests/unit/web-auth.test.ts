import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { checkRequest, makeGate, sessionCookie } from '../../src/main/web/auth'

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage
}

describe('web mode gate', () => {
  const gate = makeGate('secret-token', '127.0.0.1', 5000)
  const host = { host: '127.0.0.1:5000' }

  it('accepts the token in the query, then the session cookie', () => {
    expect(checkRequest(gate, request(host), new URL('http://x/?token=secret-token'))).toEqual({ ok: true, viaQuery: true })
    const cookie = sessionCookie(gate).split(';')[0] as string
    expect(checkRequest(gate, request({ ...host, cookie }), new URL('http://x/'))).toEqual({ ok: true, viaQuery: false })
  })

  it('refuses a missing or wrong token', () => {
    expect(checkRequest(gate, request(host), new URL('http://x/'))).toMatchObject({ ok: false, reason: 'missing token' })
    expect(checkRequest(gate, request(host), new URL('http://x/?token=nope'))).toMatchObject({ ok: false, reason: 'wrong token' })
    expect(checkRequest(gate, request({ ...host, cookie: `${gate.cookieName}=nope` }), new URL('http://x/'))).toMatchObject({ ok: false })
  })

  it('refuses a foreign Origin even with the right token, and a foreign Host (DNS rebinding)', () => {
    const url = new URL('http://x/?token=secret-token')
    expect(checkRequest(gate, request({ ...host, origin: 'http://evil.example' }), url)).toMatchObject({ ok: false })
    expect(checkRequest(gate, request({ ...host, origin: 'http://127.0.0.1:5000' }), url)).toMatchObject({ ok: true })
    expect(checkRequest(gate, request({ host: 'evil.example:5000' }), url)).toMatchObject({ ok: false })
  })
})
