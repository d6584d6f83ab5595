import type { CudaGpu } from '../../shared/api/cuda-doctor'
import { capabilityFromModel } from './requirements'
import type { SystemView } from './system-view'

/** What the machine says about its NVIDIA driver and GPUs. */
export interface DriverFacts {
  version: string | null
  versionSource: string | null
  /** The Linux kernel module is loaded (/proc/driver/nvidia/version exists). */
  kernelModule: boolean
  gpus: CudaGpu[]
  /** NVIDIA display or 3D controllers on the PCI bus (Linux sysfs), driver or not. */
  pciDevices: number
  /** nvidia-smi: where it is, and why it could not answer. */
  smi: { path: string | null; error: string | null }
}

export function isWsl(view: SystemView): boolean {
  if (view.windows || view.input.platform !== 'linux') return false
  if (view.env('WSL_DISTRO_NAME')) return true
  return /microsoft|wsl/i.test(view.readText('/proc/version') ?? '')
}

export function readDriver(view: SystemView): DriverFacts {
  const facts: DriverFacts = { version: null, versionSource: null, kernelModule: false, gpus: [], pciDevices: 0, smi: { path: null, error: null } }
  if (!view.windows) readProcDriver(view, facts)
  readNvidiaSmi(view, facts)
  if (!view.windows) facts.pciDevices = countPciGpus(view)
  return facts
}

/** /proc/driver/nvidia: the kernel module's version and each GPU's model name (no compute capability there). */
function readProcDriver(view: SystemView, facts: DriverFacts): void {
  const version = view.readText('/proc/driver/nvidia/version')
  if (version === null) return
  facts.kernelModule = true
  // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 …" (the open module says
  // "Open Kernel Module for x86_64  …").
  const match = /NVRM version:.*?\s(\d+\.\d+(?:\.\d+)?)(?:\s|$)/.exec(version)
  if (match?.[1]) {
    facts.version = match[1]
    facts.versionSource = '/proc/driver/nvidia/version'
  }
  const dir = '/proc/driver/nvidia/gpus'
  view
    .list(dir)
    .sort()
    .forEach((bus, index) => {
      const info = view.readText(`${dir}/${bus}/information`) ?? ''
      const name = /^Model:\s*(.+?)\s*$/m.exec(info)?.[1] ?? null
      const capability = name ? capabilityFromModel(name) : null
      facts.gpus.push({ index, name, computeCapability: capability, capabilitySource: capability ? 'model name' : null })
    })
}

function smiCandidates(view: SystemView): string[] {
  const p = view.paths
  if (view.windows) {
    const windir = view.env('SystemRoot') ?? 'C:\\Windows'
    const programFiles = view.env('ProgramFiles') ?? 'C:\\Program Files'
    return [p.join(windir, 'System32'), p.join(programFiles, 'NVIDIA Corporation', 'NVSMI'), ...view.pathList('PATH')].map((d) => p.join(d, 'nvidia-smi.exe'))
  }
  return [...view.pathList('PATH'), '/usr/bin', '/usr/lib/wsl/lib'].map((d) => p.join(d, 'nvidia-smi'))
}

/** nvidia-smi knows the driver version and, from driver 510 on, each GPU's compute capability. */
function readNvidiaSmi(view: SystemView, facts: DriverFacts): void {
  const smi = smiCandidates(view).find((file) => view.exists(file))
  if (!smi) return
  facts.smi.path = smi
  let withCapability = true
  let answer = view.run(smi, ['--query-gpu=index,name,driver_version,compute_cap', '--format=csv,noheader'])
  if ('error' in answer) {
    // Older drivers refuse the compute_cap field; ask for the rest.
    withCapability = false
    answer = view.run(smi, ['--query-gpu=index,name,driver_version', '--format=csv,noheader'])
  }
  if ('error' in answer) {
    facts.smi.error = answer.error
    return
  }
  const gpus: CudaGpu[] = []
  for (const line of answer.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const [index, name, driver, capability] = line.split(',').map((f) => f.trim())
    if (driver && /^\d+\.\d+/.test(driver) && !facts.versionSource?.startsWith('/proc')) {
      facts.version = driver
      facts.versionSource = 'nvidia-smi'
    }
    const reported = withCapability && capability && /^\d+\.\d+$/.test(capability) ? capability : null
    const guessed = reported ? null : name ? capabilityFromModel(name) : null
    gpus.push({
      index: Number(index) || gpus.length,
      name: name ?? null,
      computeCapability: reported ?? guessed,
      capabilitySource: reported ? 'nvidia-smi' : guessed ? 'model name' : null
    })
  }
  if (gpus.length > 0) facts.gpus = gpus
}

/** NVIDIA (vendor 0x10de) display controllers (class 0x03xxxx) in sysfs: a GPU is there even without a driver. */
function countPciGpus(view: SystemView): number {
  const dir = '/sys/bus/pci/devices'
  let count = 0
  for (const device of view.list(dir)) {
    const vendor = view.readText(`${dir}/${device}/vendor`)?.trim()
    const cls = view.readText(`${dir}/${device}/class`)?.trim()
    if (vendor === '0x10de' && cls?.startsWith('0x03')) count++
  }
  return count
}
