/**
 * Which web permissions the app's window gets. The renderer uses exactly one permission-gated API:
 * navigator.clipboard.writeText ("Copy z" in Explore, "Use this z" after a projection), which Chromium gates
 * behind `clipboard-sanitized-write`. That one is granted, and only to our own page (the app:// origin, main
 * frame, in a window we opened); everything else — camera, notifications, clipboard reading, fullscreen,
 * other origins — is refused. Pure, so it is unit-tested without Electron (src/main/index.ts wires it).
 */
export const APP_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write'])

export interface PermissionAsk {
  permission: string
  /** The URL (request) or origin (check) asking; both when Electron gives both. */
  requestingUrl?: string | undefined
  requestingOrigin?: string | undefined
  isMainFrame?: boolean | undefined
  /** Whether the asking webContents belongs to a window this app created. */
  fromAppWindow: boolean
}

export function allowPermission(ask: PermissionAsk, app: { scheme: string; host: string }): boolean {
  if (!APP_PERMISSIONS.has(ask.permission) || !ask.fromAppWindow || ask.isMainFrame === false) return false
  const claimed = [ask.requestingUrl, ask.requestingOrigin].filter((u): u is string => typeof u === 'string' && u.length > 0)
  return claimed.length > 0 && claimed.every((u) => isAppUrl(u, app))
}

/**
 * Our origin, compared by scheme and host: Node's URL gives custom schemes an opaque origin ("null"), so
 * `origin` cannot be compared. A port, credentials or another host is not us.
 */
function isAppUrl(text: string, app: { scheme: string; host: string }): boolean {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return false
  }
  return url.protocol === `${app.scheme}:` && url.host === app.host && url.port === '' && url.username === '' && url.password === ''
}
