import { requireSystemPackage } from './system-packages'

/**
 * SwiftShader, Chromium's software Vulkan driver, with the Vulkan loader Chromium ships beside it (Debian's
 * chromium-common, in /usr/lib/chromium). Dawn loads `libvulkan.so.1` through the dynamic linker, which reads
 * LD_LIBRARY_PATH only when a process starts: vitest.config.ts therefore gives this environment to the
 * workers of the `webgpu` test project (files named *.webgpu.test.ts) when it starts them, and the engines
 * and CLIs those tests start inherit it. Only tests use it; the studio never sets it for a user.
 */
export const SWIFTSHADER_DIR = '/usr/lib/chromium'

export function swiftShaderEnv(base: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  return {
    LD_LIBRARY_PATH: [SWIFTSHADER_DIR, base['LD_LIBRARY_PATH']].filter((dir) => dir !== undefined && dir !== '').join(':'),
    VK_ICD_FILENAMES: `${SWIFTSHADER_DIR}/vk_swiftshader_icd.json`
  }
}

/** Fails with what to do when SwiftShader is missing or this process was started without its environment. */
export function requireSwiftShader(): void {
  requireSystemPackage('chromium-common')
  const expected = swiftShaderEnv({})
  if (!(process.env['LD_LIBRARY_PATH'] ?? '').split(':').includes(SWIFTSHADER_DIR) || process.env['VK_ICD_FILENAMES'] !== expected.VK_ICD_FILENAMES) {
    throw new Error(
      'This test runs WebGPU on SwiftShader and needs LD_LIBRARY_PATH and VK_ICD_FILENAMES set when its process starts: ' +
        'name the file *.webgpu.test.ts so vitest.config.ts runs it in the webgpu project, which sets them.'
    )
  }
}
