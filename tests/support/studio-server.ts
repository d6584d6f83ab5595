import { type ChildProcess, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as readline from 'node:readline'
import { builtPaths } from '../../src/main/services/app-paths'

export interface RunningServer {
  url: string
  urlWithToken: string
  /** Every URL it prints (one per address it is reachable at), with the token. */
  urls: string[]
  token: string
  port: number
  library: string
  process: ChildProcess
  stop(): Promise<void>
}

/** Starts real web mode (`dcgan-studio serve --json`) from the build, in a temp library. */
export async function startStudioServer(extraArgs: string[] = [], library = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-library-'))): Promise<RunningServer> {
  const child = spawn(process.execPath, [builtPaths.cli(), 'serve', '--json', '--port', '0', '--library', library, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const listening = await new Promise<{ url: string; urls?: string[]; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('web mode did not start within 60 s')), 60_000)
    child.once('exit', (code) => reject(new Error(`web mode exited early with code ${code}`)))
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { event?: string; url: string; urls?: string[]; port: number }
      if (message.event === 'listening') {
        clearTimeout(timer)
        resolve(message)
      }
    })
  })
  const parsed = new URL(listening.url)
  const token = parsed.searchParams.get('token') ?? ''
  parsed.search = ''
  return {
    url: parsed.toString(),
    urlWithToken: listening.url,
    urls: listening.urls ?? [listening.url],
    token,
    port: listening.port,
    library,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}
