import { builtPaths } from '../../services/app-paths'
import { launchNodeEngine } from '../../services/engine-process'
import { resolveLibrary } from '../../services/library'
import { Studio } from '../../services/studio'
import { startWebServer } from '../../web/server'
import { parseBackend, parsePort, parseVerbArgs } from '../args'
import { makeOutput } from '../output'

export const serveHelp = `dcgan-studio serve [--port N] [--host ADDR] [--token T] [--library DIR] [--backend NAME] [--json]
  Web mode: serves the studio to your browser on 127.0.0.1 (a random free port unless --port) behind a
  secret token that is part of the printed URL. --host 0.0.0.0 exposes it to your network: only do that on
  a network you trust, and keep the token secret.`

export async function serve(argv: string[], reason?: string): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    web: { type: 'boolean', default: false }
  })
  const out = makeOutput(values.json)
  const library = resolveLibrary({ flag: values.library })
  const studio = await Studio.open({ libraryRoot: library.root, launcher: launchNodeEngine, backend: parseBackend(values.backend) })
  const server = await startWebServer({
    studio,
    rendererDir: builtPaths.renderer(),
    host: values.host ?? '127.0.0.1',
    port: parsePort(values.port),
    ...(values.token ? { token: values.token } : {})
  })
  // Start the engine now so the first page load does not wait for TensorFlow.js.
  void studio.explorer.start().catch(() => undefined)
  out.emit({ event: 'listening', mode: 'web', reason: reason ?? null, url: server.urlWithToken, port: server.port, library: library.root })
  if (reason) out.say(`Web mode: ${reason}`)
  out.say(`DCGAN Studio is running in web mode. Open this URL in your browser:\n\n    ${server.urlWithToken}\n`)
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
