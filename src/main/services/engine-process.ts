import { fork } from 'node:child_process'
import type { HostToEngine } from '../../shared/engine-protocol'
import { builtPaths } from './app-paths'

/** A running engine process, whatever started it (Node child process or Electron utilityProcess). */
export interface EngineProcess {
  readonly pid: number | null
  send(message: HostToEngine): void
  onMessage(listener: (message: unknown) => void): void
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void
  kill(): void
}

export interface EngineLaunchOptions {
  /** Extra environment for the engine (e.g. DCGAN_STUDIO_BACKEND). */
  env: Record<string, string>
}

export type EngineLauncher = (options: EngineLaunchOptions) => EngineProcess

/** Web mode and the CLI: the engine is a Node child process with an IPC channel. */
export const launchNodeEngine: EngineLauncher = ({ env }) => {
  const child = fork(builtPaths.engine(), [], {
    env: { ...process.env, ...env },
    // Structured clone over the channel: images and z vectors stay typed arrays instead of JSON.
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: []
  })
  return {
    get pid() {
      return child.pid ?? null
    },
    send: (message) => {
      // With a callback, a send to a process that just died reports to us instead of throwing EPIPE; the
      // 'exit' event is what tells the host about the death.
      if (child.connected) child.send(message, () => {})
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code, signal) => listener({ code, signal })),
    kill: () => {
      child.kill('SIGKILL')
    }
  }
}
