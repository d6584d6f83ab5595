import { utilityProcess } from 'electron'
import { builtPaths } from '../services/app-paths'
import type { EngineLauncher } from '../services/engine-process'

/** In the Electron app the engine is a utilityProcess: off the main thread, supervised by Electron. */
export const launchUtilityEngine: EngineLauncher = ({ env }) => {
  const child = utilityProcess.fork(builtPaths.engine(), [], {
    serviceName: 'DCGAN Studio engine',
    env: { ...process.env, ...env },
    stdio: 'inherit'
  })
  return {
    get pid() {
      return child.pid ?? null
    },
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener({ code, signal: null })),
    kill: () => {
      child.kill()
    }
  }
}
