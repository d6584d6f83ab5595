import { spawn, spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { appRoot } from '../../services/app-paths'
import { displayName, electronBinary } from '../../services/diagnostics'
import { parseVerbArgs } from '../args'
import { serve } from './serve'

export const startHelp = `dcgan-studio start [--web] [serve options]
  What "npm start" runs: the Electron app when its binary and a display are available (downloading the
  binary on first start when online), otherwise web mode. Prints which it chose and why. --web forces web mode.`

/** How long Electron must stay up before we trust it started (a broken binary or no display exits at once). */
const EARLY_EXIT_MS = 5000

export async function start(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    web: { type: 'boolean', default: false },
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true }
  })
  const serveArgs = argv.filter((arg) => arg !== '--web')
  if (values.web) return serve(serveArgs, 'you asked for it with --web.')

  const why = electronUnavailable()
  if (why) return serve(serveArgs, `${why} — serving the same studio to your browser instead.`)

  const binary = electronBinary().path as string
  process.stdout.write(`Starting the DCGAN Studio app (Electron ${electronBinary().version ?? ''}).\n`)
  const electronArgs = [appRoot(), ...(values.library ? ['--library', values.library] : [])]
  if (values.backend) electronArgs.push('--backend', values.backend)
  const child = spawn(binary, electronArgs, { stdio: 'inherit' })
  const startedAt = Date.now()
  const code = await new Promise<number>((resolve) => {
    child.on('exit', (exitCode) => resolve(exitCode ?? 1))
    child.on('error', () => resolve(1))
  })
  if (code !== 0 && Date.now() - startedAt < EARLY_EXIT_MS) {
    return serve(serveArgs, `Electron exited at start (code ${code}) — serving the same studio to your browser instead.`)
  }
  return code
}

/** Why the Electron app cannot start here, or null when it can. */
function electronUnavailable(): string | null {
  if (!displayName()) return 'no display is available (DISPLAY and WAYLAND_DISPLAY are unset)'
  if (process.platform === 'linux' && process.getuid?.() === 0) {
    return "Electron's renderer sandbox cannot run as root, and the studio does not turn it off"
  }
  if (!electronBinary().present) {
    process.stdout.write("Electron's binary is not downloaded yet; fetching it (first start)…\n")
    const installer = path.join(path.dirname(require.resolve('electron/package.json', { paths: [appRoot()] })), 'install.js')
    const result = spawnSync(process.execPath, [installer], { stdio: 'inherit', timeout: 10 * 60_000 })
    if (result.status !== 0 || !electronBinary().present) {
      return "Electron's binary could not be downloaded (are you offline?)"
    }
  }
  return null
}
