import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'

// One build for all three front doors: the Electron main process, the engine process and the CLI are entries
// of the main build (they share chunks), the preload is a single sandbox-safe bundle, and the renderer is the
// same static app whether Electron loads it over its custom protocol or web mode serves it over HTTP.
export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          engine: resolve(__dirname, 'src/engine/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload may only require 'electron'; bundle everything else into it.
      externalizeDeps: false,
      isolatedEntries: true,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') }
      }
    }
  }
})
