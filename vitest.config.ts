import { defineConfig } from 'vitest/config'
import { swiftShaderEnv } from './tests/support/swiftshader'
import { UI_WAIT_MS } from './tests/support/timeouts'

const WEBGPU_TESTS = ['src/**/*.webgpu.test.ts', 'tests/**/*.webgpu.test.ts']

export default defineConfig({
  test: {
    // Separate processes: tfjs backends and engine children must not share state between test files.
    pool: 'forks',
    // Two cores on our machines; more workers only fight over them.
    maxWorkers: 2,
    // Generous on purpose: a test must pass on a busy machine (two workers, engine children, apt or a build
    // beside them), so the limits catch hangs, not slowness. Heavy tests set their own, larger ones.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // expect.poll waits for the engine or the page; its default of 1 s fails on a busy machine.
    expect: { poll: { timeout: UI_WAIT_MS } },
    env: {
      // Every engine a test starts (CLI, web mode, EngineHost) runs on wasm, the backend the suite's numbers
      // were measured on, even where tfjs-node(-gpu) is installed. Tests about the ladder clear it.
      DCGAN_STUDIO_BACKEND: 'wasm'
    },
    // Projects inherit this config (extends: true) and each names its own files.
    projects: [
      { extends: true, test: { name: 'main', include: ['src/**/*.test.ts', 'tests/**/*.test.ts'], exclude: [...WEBGPU_TESTS, '**/node_modules/**'] } },
      // WebGPU on SwiftShader: the worker must start with the Vulkan loader's path set (tests/support/swiftshader.ts).
      { extends: true, test: { name: 'webgpu', include: WEBGPU_TESTS, env: swiftShaderEnv() } }
    ]
  }
})
