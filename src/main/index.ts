/**
 * The Electron app's composition root: a secure window over the app:// scheme, the Studio services behind
 * IPC, and the engine in a utilityProcess. Heavy work never runs here (see ARCHITECTURE.md).
 */
import * as fs from 'node:fs'
import { parseArgs } from 'node:util'
import { BrowserWindow, app, dialog, protocol, session, shell } from 'electron'
import { BackendName } from '../shared/api/engine'
import { launchUtilityEngine } from './electron/engine-launcher'
import { registerStudioIpc } from './ipc/studio-ipc'
import { SECURITY_HEADERS, rendererCsp } from './security/csp'
import { allowPermission } from './security/permissions'
import { mimeType, resolveConfined } from './security/static-files'
import { builtPaths } from './services/app-paths'
import { resolveLibrary } from './services/library'
import { Studio } from './services/studio'

const SCHEME = 'app'
const HOST = 'studio'
const RENDERER_ORIGIN = `${SCHEME}://${HOST}`
/** Links the user may open in their browser; everything else is refused. */
const EXTERNAL_ALLOWLIST = [/^https:\/\/arxiv\.org\//, /^https:\/\/github\.com\//]

// Must happen before 'ready': a standard, secure scheme gets a real origin and works with fetch.
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])

const { values: flags } = parseArgs({
  args: process.argv.slice(app.isPackaged ? 1 : 2),
  options: { library: { type: 'string' }, backend: { type: 'string' } },
  strict: false,
  allowPositionals: true
})

let studio: Studio | null = null
/** The webContents of the windows this app opened: the only ones that get a permission. */
const appContents = new Set<number>()

function isTrustedUrl(url: string): boolean {
  return url.startsWith(`${RENDERER_ORIGIN}/`)
}

function serveRenderer(request: Request): Response {
  const url = new URL(request.url)
  if (url.host !== HOST) return new Response('Not found', { status: 404 })
  const file = resolveConfined(builtPaths.renderer(), url.pathname === '/' ? '/index.html' : url.pathname)
  if (!file) return new Response('Not found', { status: 404 })
  return new Response(fs.readFileSync(file), {
    headers: { 'Content-Type': mimeType(file), 'Content-Security-Policy': rendererCsp(), ...SECURITY_HEADERS }
  })
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'DCGAN Studio',
    show: false,
    webPreferences: {
      preload: builtPaths.preload(),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false
    }
  })
  const contentsId = window.webContents.id
  appContents.add(contentsId)
  window.on('closed', () => appContents.delete(contentsId))
  window.once('ready-to-show', () => window.show())
  void window.loadURL(`${RENDERER_ORIGIN}/index.html`)
  return window
}

app.on('web-contents-created', (_event, contents) => {
  // No navigation away from the app, no new windows; allow-listed links open in the user's browser.
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (EXTERNAL_ALLOWLIST.some((re) => re.test(url))) void shell.openExternal(url)
    return { action: 'deny' }
  })
})

app
  .whenReady()
  .then(async () => {
    // Only what the renderer uses (clipboard writes for "Copy z"), only for our own page; see security/permissions.ts.
    const ourOrigin = { scheme: SCHEME, host: HOST }
    session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) =>
      callback(
        allowPermission(
          { permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame, fromAppWindow: appContents.has(contents.id) },
          ourOrigin
        )
      )
    )
    session.defaultSession.setPermissionCheckHandler((contents, permission, requestingOrigin, details) =>
      allowPermission(
        {
          permission,
          requestingOrigin,
          requestingUrl: details.requestingUrl,
          isMainFrame: details.isMainFrame,
          fromAppWindow: contents !== null && appContents.has(contents.id)
        },
        ourOrigin
      )
    )
    protocol.handle(SCHEME, (request) => serveRenderer(request))
    // The renderer needs nothing from the network; refuse anything that is not our own scheme or devtools.
    session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
      const allowed = details.url.startsWith(`${SCHEME}:`) || details.url.startsWith('devtools:')
      callback({ cancel: !allowed })
    })

    const backend = typeof flags.backend === 'string' ? BackendName.parse(flags.backend) : null
    const library = resolveLibrary({
      flag: typeof flags.library === 'string' ? flags.library : undefined,
      electronUserData: app.getPath('userData')
    })
    studio = await Studio.open({
      libraryRoot: library.root,
      launcher: launchUtilityEngine,
      backend,
      pickPath: async (kind, title, defaultPath) => {
        const window = BrowserWindow.getFocusedWindow()
        if (kind === 'save') {
          const options: Electron.SaveDialogOptions = { title, ...(defaultPath ? { defaultPath } : {}) }
          const saved = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options)
          return saved.canceled ? null : saved.filePath
        }
        const options: Electron.OpenDialogOptions = { title, properties: [kind === 'folder' ? 'openDirectory' : 'openFile'] }
        const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
        return result.canceled ? null : (result.filePaths[0] ?? null)
      }
    })
    registerStudioIpc(studio, isTrustedUrl)
    void studio.explorer.start().catch(() => undefined)
    createWindow()
  })
  .catch((err: unknown) => {
    // Without a window nothing else would say why the app did not open (an unusable library, say).
    dialog.showErrorBox('DCGAN Studio could not start', err instanceof Error ? err.message : String(err))
    app.quit()
  })

app.on('window-all-closed', () => app.quit())

let quitting = false
app.on('before-quit', (event) => {
  if (quitting || !studio) return
  // Let the engines shut down cleanly (they may be writing a checkpoint) before the app exits.
  event.preventDefault()
  quitting = true
  void studio.close().finally(() => app.quit())
})
