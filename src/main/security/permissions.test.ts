import { describe, expect, it } from 'vitest'
import { allowPermission } from './permissions'

const APP = { scheme: 'app', host: 'studio' }
const ours = { fromAppWindow: true, isMainFrame: true }

describe('the permissions the app window gets', () => {
  it('allows writing to the clipboard (Copy z) from our own page, as a request and as a check', () => {
    expect(allowPermission({ ...ours, permission: 'clipboard-sanitized-write', requestingUrl: 'app://studio/index.html' }, APP)).toBe(true)
    expect(allowPermission({ ...ours, permission: 'clipboard-sanitized-write', requestingOrigin: 'app://studio' }, APP)).toBe(true)
    expect(
      allowPermission({ ...ours, permission: 'clipboard-sanitized-write', requestingOrigin: 'app://studio/', requestingUrl: 'app://studio/index.html' }, APP)
    ).toBe(true)
  })

  it('refuses every other permission, even to our own page', () => {
    for (const permission of [
      'clipboard-read',
      'media',
      'geolocation',
      'notifications',
      'fullscreen',
      'openExternal',
      'fileSystem',
      'display-capture',
      'unknown'
    ]) {
      expect(allowPermission({ ...ours, permission, requestingUrl: 'app://studio/index.html' }, APP)).toBe(false)
    }
  })

  it('refuses the clipboard to any other origin, frame or window', () => {
    const write = { permission: 'clipboard-sanitized-write' }
    for (const url of [
      'https://github.com/',
      'http://127.0.0.1:5173/',
      'app://other/index.html',
      'app://studio:8080/',
      'app://user@studio/',
      'file:///index.html',
      'devtools://devtools/',
      'not a url',
      ''
    ]) {
      expect(allowPermission({ ...ours, ...write, requestingUrl: url }, APP)).toBe(false)
    }
    // The URL is ours but the origin is not (or the other way round): both must be ours.
    expect(allowPermission({ ...ours, ...write, requestingUrl: 'app://studio/index.html', requestingOrigin: 'https://evil.example' }, APP)).toBe(false)
    expect(allowPermission({ ...ours, ...write }, APP)).toBe(false)
    expect(allowPermission({ ...write, fromAppWindow: true, isMainFrame: false, requestingUrl: 'app://studio/index.html' }, APP)).toBe(false)
    expect(allowPermission({ ...write, fromAppWindow: false, isMainFrame: true, requestingUrl: 'app://studio/index.html' }, APP)).toBe(false)
  })
})
