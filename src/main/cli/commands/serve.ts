import { builtPaths } from '../../services/app-paths'
import { launchNodeEngine } from '../../services/engine-process'
import { resolveLibrary } from '../../services/library'
import { Studio } from '../../services/studio'
import { isWildcard, listenHost } from '../../web/addresses'
import { TOKEN_RULE, parseOrigin, tokenProblem } from '../../web/auth'
import { startWebServer } from '../../web/server'
import { UsageError, parseBackend, parsePort, parseVerbArgs } from '../args'
import { makeOutput } from '../output'

export const serveHelp = `dcgan-studio serve [--port N] [--host ADDR] [--token T] [--allow-origin URL]... [--library DIR] [--backend NAME] [--json]
  Web mode: serves the studio to your browser on 127.0.0.1 (a random free port unless --port) behind a
  secret token that is part of the printed URLs. --host ADDR listens on that address (IPv6 too, e.g. ::1);
  --host 0.0.0.0 (or :: for IPv6 as well) listens on every interface and prints a URL for each address of
  the machine: only do that on a network you trust, and keep the token secret (an SSH tunnel to the
  loopback port is safer). Only the printed names are answered to (Host and Origin headers checked).
  --allow-origin URL (repeatable) admits one more: e.g. http://localhost:9000 for an SSH tunnel's local end
  on another port, or https://studio.example.org for a reverse proxy.
  --token T fixes the token: ${TOKEN_RULE}.`

/** The gate options as the user gave them, checked before anything starts. */
function gateOptions(token: string | undefined, allowOrigin: string[] | undefined): { token?: string; allowOrigins: string[] } {
  const problem = token === undefined ? null : tokenProblem(token)
  if (problem) throw new UsageError(`--token: ${problem}.`)
  const allowOrigins = (allowOrigin ?? []).map((value) => {
    const parsed = parseOrigin(value)
    if ('problem' in parsed) throw new UsageError(`--allow-origin: ${parsed.problem}.`)
    return parsed.origin
  })
  return { ...(token === undefined ? {} : { token }), allowOrigins }
}

export async function serve(argv: string[], reason?: string): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
    web: { type: 'boolean', default: false }
  })
  const gate = gateOptions(values.token, values['allow-origin'])
  const host = listenHost(values.host ?? '127.0.0.1')
  const out = makeOutput(values.json)
  const library = resolveLibrary({ flag: values.library })
  const studio = await Studio.open({ libraryRoot: library.root, launcher: launchNodeEngine, backend: parseBackend(values.backend) })
  const server = await startWebServer({
    studio,
    rendererDir: builtPaths.renderer(),
    host,
    port: parsePort(values.port),
    ...gate
  })
  // Start the engine now so the first page load does not wait for TensorFlow.js.
  void studio.explorer.start().catch(() => undefined)
  const throughAllowed = server.allowedOrigins.map((origin) => `${origin}/?token=${server.token}`)
  out.emit({
    event: 'listening',
    mode: 'web',
    reason: reason ?? null,
    url: server.urlWithToken,
    urls: server.urlsWithToken,
    allowedOrigins: server.allowedOrigins,
    port: server.port,
    library: library.root
  })
  if (reason) out.say(`Web mode: ${reason}`)
  const urls = server.urlsWithToken.map((u) => `    ${u}`).join('\n')
  out.say(`DCGAN Studio is running in web mode. Open ${server.urlsWithToken.length > 1 ? 'one of these URLs' : 'this URL'} in your browser:\n\n${urls}\n`)
  if (throughAllowed.length > 0)
    out.say(`Or, through what --allow-origin names (a tunnel or a proxy):\n\n${throughAllowed.map((u) => `    ${u}`).join('\n')}\n`)
  if (isWildcard(host)) {
    out.say('It listens on every interface: anyone on your network who has the token can use it. An SSH tunnel to a loopback port is safer.')
  }
  out.say(`Library: ${library.root}. Press Ctrl+C to stop.`)

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  out.say('Stopping…')
  await server.close()
  await studio.close()
  return 0
}
