import * as fs from 'node:fs'
import * as path from 'node:path'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.gif': 'image/gif'
}

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Maps a URL path to a file inside `root`, or null when the path would escape it (`..`, encoded slashes,
 * NUL bytes, symlinks out of the folder) or names no regular file. Shared by Electron's protocol handler and
 * web mode so the path-confinement rule exists once.
 */
export function resolveConfined(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const relative = decoded.replace(/^\/+/, '')
  const resolvedRoot = path.resolve(root)
  const candidate = path.resolve(resolvedRoot, relative)
  if (candidate !== resolvedRoot && !candidate.startsWith(resolvedRoot + path.sep)) return null
  try {
    const real = fs.realpathSync(candidate)
    const realRoot = fs.realpathSync(resolvedRoot)
    if (!real.startsWith(realRoot + path.sep)) return null
    return fs.statSync(real).isFile() ? real : null
  } catch {
    return null
  }
}
