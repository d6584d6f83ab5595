import { buildIfNeeded } from '../../scripts/build-if-needed.mjs'

/**
 * Integration and end-to-end tests run the real built app (engine process, CLI, web server, renderer), so
 * build it once before any test file runs — and only when the sources changed since the last build.
 */
export default async function setup(): Promise<void> {
  buildIfNeeded()
}
