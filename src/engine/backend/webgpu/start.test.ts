import { describe, expect, it } from 'vitest'
import { isDawnInstalled } from './dawn'
import { startWebGpuBackend } from './index'
import { findVulkanLoader, realSystem } from './no-adapter'

// The webgpu rung where Dawn can find no GPU: on the project's machines outside the webgpu test project (no
// Vulkan loader on the linker's path). Where a loader is installed these do not apply and are skipped.
const noLoader = realSystem.platform !== 'linux' || findVulkanLoader(realSystem) !== null

describe.skipIf(noLoader)('the webgpu rung without a Vulkan loader', () => {
  it('is not tried by the ladder, which says what to install, and leaves Dawn unloaded', async () => {
    const start = await startWebGpuBackend({ forced: false })
    expect(start).toEqual({ ok: false, reason: expect.stringMatching(/^not tried: no Vulkan loader \(libvulkan\.so\.1\).*libvulkan1/), adapter: null })
    expect(isDawnInstalled()).toBe(false)
  })

  it('asks Dawn when forced, which offers no adapter, and says why', async () => {
    const start = await startWebGpuBackend({ forced: true })
    expect(start).toEqual({ ok: false, reason: expect.stringMatching(/^Dawn offered no GPU adapter: no Vulkan loader/), adapter: null })
    expect(isDawnInstalled()).toBe(false)
  })
})
