import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * Why Dawn offered no adapter, in words a user can act on. Dawn talks to Metal on macOS and Direct3D 12 on
 * Windows, which the OS provides; on Linux it needs the Vulkan loader (`libvulkan.so.1`, which Dawn loads by
 * that name through the dynamic linker) and a Vulkan driver for the GPU (an ICD: a JSON file naming the
 * driver library, found in the standard folders or in VK_ICD_FILENAMES / VK_DRIVER_FILES). The studio never
 * sets these paths itself: it uses what the system has, and only explains what is missing.
 */
export interface SystemView {
  platform: NodeJS.Platform
  env: Readonly<Record<string, string | undefined>>
  /** Whether a file exists. */
  exists(file: string): boolean
  /** File names in a folder, or [] when it does not exist. */
  list(dir: string): string[]
  /** A file's bytes as text (for the dynamic linker's cache), or null. */
  read(file: string): string | null
}

export const realSystem: SystemView = {
  platform: process.platform,
  env: process.env,
  exists: (file) => fs.existsSync(file),
  list: (dir) => {
    try {
      return fs.readdirSync(dir)
    } catch {
      return []
    }
  },
  read: (file) => {
    try {
      return fs.readFileSync(file, 'latin1')
    } catch {
      return null
    }
  }
}

/** Where the dynamic linker looks for libvulkan.so.1 besides LD_LIBRARY_PATH and its cache. */
const LIBRARY_DIRS = [
  '/lib',
  '/usr/lib',
  '/lib64',
  '/usr/lib64',
  '/usr/local/lib',
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu'
]

/** The Vulkan loader's standard ICD folders (XDG data and config folders, /etc, /usr/share). */
function icdDirs(env: SystemView['env']): string[] {
  const home = env['HOME']
  const dataHome = env['XDG_DATA_HOME'] ?? (home ? path.join(home, '.local/share') : undefined)
  const configHome = env['XDG_CONFIG_HOME'] ?? (home ? path.join(home, '.config') : undefined)
  const dataDirs = (env['XDG_DATA_DIRS'] ?? '/usr/local/share:/usr/share').split(':')
  const configDirs = (env['XDG_CONFIG_DIRS'] ?? '/etc/xdg').split(':')
  return [configHome, ...configDirs, '/etc', dataHome, ...dataDirs]
    .filter((dir): dir is string => typeof dir === 'string' && dir !== '')
    .map((dir) => path.join(dir, 'vulkan', 'icd.d'))
}

/** Where the Vulkan loader is, or null when the dynamic linker would not find it. */
export function findVulkanLoader(system: SystemView): string | null {
  const fromEnv = (system.env['LD_LIBRARY_PATH'] ?? '').split(':').filter((dir) => dir !== '')
  for (const dir of [...fromEnv, ...LIBRARY_DIRS]) {
    const file = path.join(dir, 'libvulkan.so.1')
    if (system.exists(file)) return file
  }
  // ld.so.cache lists every library the linker knows by name, wherever ldconfig found it.
  if (system.read('/etc/ld.so.cache')?.includes('libvulkan.so.1')) return 'libvulkan.so.1 (in the dynamic linker cache)'
  return null
}

/** The Vulkan drivers (ICD files) the loader would read. */
export function findVulkanDrivers(system: SystemView): string[] {
  const override = system.env['VK_DRIVER_FILES'] ?? system.env['VK_ICD_FILENAMES']
  if (override) return override.split(':').filter((file) => file !== '' && system.exists(file))
  return icdDirs(system.env).flatMap((dir) =>
    system
      .list(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => path.join(dir, name))
  )
}

export function explainMissingAdapter(system: SystemView = realSystem): string {
  switch (system.platform) {
    case 'darwin':
      return 'macOS offered Dawn no Metal GPU (WebGPU needs macOS 11 or later on a Mac with a Metal GPU)'
    case 'win32':
      return 'Windows offered Dawn no Direct3D 12 GPU (WebGPU needs Windows 10 or later and a GPU driver with Direct3D 12)'
    case 'linux': {
      if (!findVulkanLoader(system)) {
        return (
          'no Vulkan loader (libvulkan.so.1) was found, and Dawn reaches the GPU through Vulkan on Linux: install the ' +
          "Vulkan loader (Debian/Ubuntu: libvulkan1, Fedora: vulkan-loader) and your GPU's Vulkan driver (mesa-vulkan-drivers " +
          "for AMD and Intel; NVIDIA's driver brings its own)"
        )
      }
      const drivers = findVulkanDrivers(system)
      if (drivers.length === 0) {
        return (
          'the Vulkan loader is installed but no Vulkan driver is (no ICD file in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d): ' +
          "install your GPU's Vulkan driver (mesa-vulkan-drivers for AMD and Intel; NVIDIA's driver brings its own)"
        )
      }
      return (
        `Vulkan drivers are installed (${drivers.map((file) => path.basename(file)).join(', ')}) but none offered Dawn a GPU: ` +
        'the GPU may be missing, or not reachable from here (in a container, pass /dev/dri or the NVIDIA devices through)'
      )
    }
    default:
      return `Dawn offered no GPU on ${system.platform}`
  }
}
