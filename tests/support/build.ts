import { buildIfNeeded } from '../../scripts/build-if-needed.mjs'

/**
 * Integration and end-to-end tests run the real built app (engine process, CLI, web server, renderer). Each
 * such test file calls this first: it builds once, only when the sources changed since the last build, and
 * parallel callers wait for one build instead of racing.
 */
export function ensureBuilt(): void {
  buildIfNeeded({ quiet: true })
}
