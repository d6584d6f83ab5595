import type { BackendName } from '../../shared/api/engine'
import { EngineHost } from './engine-host'
import type { EngineLauncher } from './engine-process'
import { type StudioHandlers, dispatch } from './dispatch'
import { StudioEvents } from './events'
import { Library } from './library'

export interface StudioOptions {
  libraryRoot: string
  launcher: EngineLauncher
  backend?: BackendName | null
}

/**
 * The composition root of the Node-side services. Electron main, web mode and the CLI each create one Studio
 * and put their own transport in front of it; nothing below this knows which front door is in use.
 */
export class Studio {
  readonly library: Library
  readonly explorer: EngineHost
  readonly events = new StudioEvents()
  readonly handlers: StudioHandlers

  constructor(options: StudioOptions) {
    this.library = Library.open(options.libraryRoot)
    this.explorer = new EngineHost({ launcher: options.launcher, backend: options.backend ?? null })
    this.explorer.on('status', (status) => this.events.emit('engine.status', status))
    this.handlers = {
      'engine.status': async () => {
        // Status is best shown with the engine's own report, so start it on first ask; a failed start is
        // itself a status worth showing (with its reason), not an error.
        await this.explorer.start().catch(() => undefined)
        return this.explorer.status()
      },
      'engine.restart': async () => {
        await this.explorer.restart().catch(() => undefined)
        return this.explorer.status()
      },
      'library.info': async () => ({ root: this.library.root }),
      'explore.generate': (params) => this.explorer.request('generate', params)
    }
  }

  call(method: string, params: unknown) {
    return dispatch(this.handlers, method, params)
  }

  async close(): Promise<void> {
    await this.explorer.stop()
  }
}
