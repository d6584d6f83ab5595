import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'

// electron-vite keeps `dependencies` out of the main bundle but would inline `optionalDependencies`. Those are
// native packages (tfjs-node, Dawn's `webgpu` with its dawn.node addon) and the backend that drives Dawn: they
// must load from node_modules at run time, where a packaged app keeps them outside the asar archive.
const optionalDependencies = Object.keys(
  (JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> }).optionalDependencies ?? {}
)

// One build for all three front doors: the Electron main process, the engine process and the CLI are entries
// of the main build (they share chunks), the preload is a single sandbox-safe bundle, and the renderer is the
// same static app whether Electron loads it over its custom protocol or web mode serves it over HTTP.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: { include: optionalDependencies },
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
