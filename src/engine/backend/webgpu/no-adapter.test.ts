import { describe, expect, it } from 'vitest'
import { explainMissingAdapter, findVulkanDrivers, findVulkanLoader, type SystemView } from './no-adapter'

// A Linux system described by its files, to explain each way Dawn can find no GPU.
function linux(files: string[], env: Record<string, string> = {}, ldCache = ''): SystemView {
  const set = new Set(files)
  return {
    platform: 'linux',
    env: { HOME: '/home/artist', ...env },
    exists: (file) => set.has(file),
    list: (dir) => files.filter((file) => file.startsWith(`${dir}/`) && !file.slice(dir.length + 1).includes('/')).map((file) => file.slice(dir.length + 1)),
    read: (file) => (file === '/etc/ld.so.cache' ? ldCache : null)
  }
}

describe('why Dawn offered no GPU', () => {
  it('asks for the Vulkan loader when libvulkan.so.1 is nowhere to be found', () => {
    const system = linux(['/usr/share/vulkan/icd.d/nvidia_icd.json'])
    expect(findVulkanLoader(system)).toBeNull()
    expect(explainMissingAdapter(system)).toMatch(/no Vulkan loader \(libvulkan\.so\.1\).*libvulkan1/)
  })

  it('finds the loader in the standard folders, LD_LIBRARY_PATH or the linker cache', () => {
    expect(findVulkanLoader(linux(['/usr/lib/x86_64-linux-gnu/libvulkan.so.1']))).toBe('/usr/lib/x86_64-linux-gnu/libvulkan.so.1')
    expect(findVulkanLoader(linux(['/opt/vk/libvulkan.so.1'], { LD_LIBRARY_PATH: '/opt/vk' }))).toBe('/opt/vk/libvulkan.so.1')
    expect(findVulkanLoader(linux([], {}, '\0ld.so-1.7.0\0libvulkan.so.1\0/usr/lib64/libvulkan.so.1\0'))).toMatch(/linker cache/)
  })

  it('asks for a Vulkan driver when the loader has no ICD to load', () => {
    const system = linux(['/usr/lib/x86_64-linux-gnu/libvulkan.so.1'])
    expect(findVulkanDrivers(system)).toEqual([])
    expect(explainMissingAdapter(system)).toMatch(/no Vulkan driver is.*mesa-vulkan-drivers/)
  })

  it('names the drivers it found when none of them offered a GPU', () => {
    const system = linux([
      '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
      '/usr/share/vulkan/icd.d/radeon_icd.x86_64.json',
      '/etc/vulkan/icd.d/nvidia_icd.json',
      '/home/artist/.local/share/vulkan/icd.d/notes.txt'
    ])
    expect(findVulkanDrivers(system)).toEqual(['/etc/vulkan/icd.d/nvidia_icd.json', '/usr/share/vulkan/icd.d/radeon_icd.x86_64.json'])
    expect(explainMissingAdapter(system)).toMatch(/nvidia_icd\.json, radeon_icd\.x86_64\.json.*none offered Dawn a GPU.*container/)
  })

  it('reads only the drivers VK_DRIVER_FILES or VK_ICD_FILENAMES name, when set', () => {
    const files = ['/usr/lib/libvulkan.so.1', '/opt/icd/mine.json', '/usr/share/vulkan/icd.d/radeon_icd.x86_64.json']
    expect(findVulkanDrivers(linux(files, { VK_ICD_FILENAMES: '/opt/icd/mine.json:/opt/icd/gone.json' }))).toEqual(['/opt/icd/mine.json'])
    expect(findVulkanDrivers(linux(files, { VK_DRIVER_FILES: '/opt/icd/gone.json' }))).toEqual([])
  })

  it('says what macOS and Windows need', () => {
    const other = (platform: NodeJS.Platform): SystemView => ({ ...linux([]), platform })
    expect(explainMissingAdapter(other('darwin'))).toMatch(/Metal/)
    expect(explainMissingAdapter(other('win32'))).toMatch(/Direct3D 12/)
  })
})
