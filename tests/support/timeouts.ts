/**
 * How long a test waits for the page or the engine before failing. Generous on purpose: the suite must pass on a
 * busy two-core machine (two test workers, engine processes, Chromium), so waits catch hangs, not slowness.
 * vitest.config.ts uses it for expect.poll, launchChromium for every page's waits.
 */
export const UI_WAIT_MS = 120_000
