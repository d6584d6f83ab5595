import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    // Separate processes: tfjs backends and engine children must not share state between test files.
    pool: 'forks',
    // Two cores on our machines; more workers only fight over them.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000
  }
})
