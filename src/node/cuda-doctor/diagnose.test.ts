import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CudaReport } from '../../shared/api/cuda-doctor'
import { type CudaDoctorInput, diagnoseCuda } from './diagnose'
import { LibrarySearch } from './library-search'
import { SystemView } from './system-view'

import { CUDA_11_2, CUDNN_8, LINUX_PROC, type MachineTree, cuda12Machine, files, ldCache, nvidiaProc, nvidiaSmi, writeMachine } from './test-machines'

// Fixture machines (test-machines.ts): temp folders standing in for `/` or drive C:, removed at the end.
const roots: string[] = []
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true })
})

type Tree = MachineTree

function machine(tree: Tree): string {
  const root = writeMachine(tree)
  roots.push(root)
  return root
}

function linux(root: string, env: Record<string, string> = {}, tfjsNodeGpu: CudaDoctorInput['tfjsNodeGpu'] = { version: '4.22.0' }): CudaReport {
  return diagnoseCuda({ platform: 'linux', arch: 'x64', env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env }, root, tfjsNodeGpu })
}

function finding(report: CudaReport, id: string) {
  const found = report.findings.find((f) => f.id === id)
  if (!found) throw new Error(`no finding ${id} in ${JSON.stringify(report.findings, null, 2)}`)
  return found
}

const ids = (report: CudaReport): string[] => report.findings.map((f) => f.id)

describe('CUDA doctor on fixture machines', () => {
  it('a machine with nothing NVIDIA says so in one finding, and that the package is missing', () => {
    const root = machine({
      ...LINUX_PROC,
      '/usr/lib/x86_64-linux-gnu/libc.so.6': '',
      '/sys/bus/pci/devices/0000:00:02.0/vendor': '0x1af4\n',
      '/sys/bus/pci/devices/0000:00:02.0/class': '0x018000\n'
    })
    const report = linux(root, {}, { version: null })
    expect(report.platform).toBe('linux')
    expect(report.ready).toBe(false)
    expect(ids(report)).toEqual(['package', 'gpu'])
    expect(finding(report, 'package').message).toMatch(/tfjs-node-gpu is not installed/)
    expect(finding(report, 'package').action).toMatch(/npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/)
    // Installing CUDA would not help here: notes, not problems.
    expect(report.findings.map((f) => f.level)).toEqual(['info', 'info'])
    expect(report.hasNvidia).toBe(false)
    expect(finding(report, 'gpu').message).toMatch(/^no NVIDIA GPU found/)
    expect(finding(report, 'gpu').action).toMatch(/webgpu/)
    expect(report.summary).toMatch(/tfjs-node-gpu is not installed.*; no NVIDIA GPU found/)
    expect(report.libraries.every((l) => l.path === null)).toBe(true)
  })

  it('a driver without CUDA: the driver is fine, every CUDA 11 and cuDNN 8 file is named as missing, with what to install', () => {
    const root = machine({
      ...LINUX_PROC,
      ...nvidiaProc('535.104.05', ['NVIDIA GeForce RTX 2080 Ti']),
      '/usr/lib/x86_64-linux-gnu/libcuda.so.1': '',
      '/etc/ld.so.cache': ldCache(['/usr/lib/x86_64-linux-gnu/libcuda.so.1'])
    })
    const report = linux(root)
    expect(report.driver).toEqual({ version: '535.104.05', source: '/proc/driver/nvidia/version' })
    expect(finding(report, 'driver')).toMatchObject({ level: 'ok', message: expect.stringContaining('libcuda.so.1 at /usr/lib/x86_64-linux-gnu/libcuda.so.1') })
    const cuda = finding(report, 'cuda')
    expect(cuda.level).toBe('problem')
    expect(cuda.message).toBe(`CUDA 11 libraries missing: ${CUDA_11_2.join(', ')}`)
    expect(cuda.action).toMatch(/Install CUDA 11\.2's runtime libraries/)
    expect(cuda.action).toMatch(/LD_LIBRARY_PATH/)
    expect(finding(report, 'cudnn')).toMatchObject({ level: 'problem', message: 'cuDNN 8 missing (libcudnn.so.8)' })
    expect(finding(report, 'cudnn').action).toMatch(/cuDNN 8\.1 for CUDA 11/)
    expect(ids(report)).not.toContain('versions')
    // /proc gives only the model name; the capability comes from what we know of it, and says so.
    expect(report.gpus).toEqual([{ index: 0, name: 'NVIDIA GeForce RTX 2080 Ti', computeCapability: '7.5', capabilitySource: 'model name' }])
    expect(finding(report, 'capability-0')).toMatchObject({ level: 'ok', message: expect.stringContaining('sm_75 (inferred from the model name)') })
  })

  it('CUDA 12 and cuDNN 9 only: "CUDA 12 / cuDNN 9 found, needs 11.x / 8.x", listing where they are', () => {
    const report = linux(machine(cuda12Machine()), { LD_LIBRARY_PATH: '/usr/local/cuda-12.4/lib64' })
    const versions = finding(report, 'versions')
    expect(versions).toMatchObject({ level: 'problem', message: 'CUDA 12 / cuDNN 9 found, needs 11.x / 8.x' })
    expect(versions.action).toMatch(/Install CUDA 11\.2 and cuDNN 8\.1 beside them/)
    expect(versions.action).toMatch(/symlinked/)
    expect(report.otherVersions).toEqual(
      expect.arrayContaining([
        '/usr/local/cuda-12.4/lib64/libcudart.so.12',
        '/usr/local/cuda-12.4/lib64/libcublas.so.12',
        '/usr/lib/x86_64-linux-gnu/libcudnn.so.9'
      ])
    )
    // CUDA 12 still ships libcurand.so.10 and libcusolver.so.11: found under their names, the rest is missing.
    expect(finding(report, 'cuda').message).toBe(
      'CUDA 11 libraries missing: libcudart.so.11.0, libcublas.so.11, libcublasLt.so.11, libcufft.so.10, libcusparse.so.11'
    )
    expect(report.summary).toMatch(/^CUDA 12 \/ cuDNN 9 found, needs 11\.x \/ 8\.x; CUDA 11 libraries missing/)

    // Not on the loader's path, CUDA 12's folder is still no place to point it at for its libcurand.so.10.
    const unlisted = linux(machine(cuda12Machine()))
    expect(ids(unlisted)).not.toContain('library-path')
    expect(finding(unlisted, 'cuda').message).toBe(`CUDA 11 libraries missing: ${CUDA_11_2.join(', ')}`)
    expect(unlisted.libraries.find((l) => l.file === 'libcurand.so.10')?.elsewhere).toEqual(['/usr/local/cuda-12.4/lib64/libcurand.so.10'])
  })

  it('CUDA 11.2 and cuDNN 8.1 complete on LD_LIBRARY_PATH, a sm_75 GPU: ready, with no warning', () => {
    const root = machine({
      ...LINUX_PROC,
      ...nvidiaProc('460.32.03', ['NVIDIA Tesla T4']),
      '/usr/bin/nvidia-smi': nvidiaSmi([{ name: 'Tesla T4', driver: '460.32.03', cc: '7.5' }]),
      '/usr/lib/x86_64-linux-gnu/libcuda.so.1': '',
      ...files('/usr/local/cuda-11.2/lib64', [...CUDA_11_2, ...CUDNN_8, 'libcudart.so.11.2.152'])
    })
    const report = linux(root, { LD_LIBRARY_PATH: '/usr/local/cuda-11.2/lib64' })
    expect(report.ready).toBe(true)
    expect(report.findings.filter((f) => f.level !== 'ok')).toEqual([])
    expect(report.libraries.filter((l) => l.group !== 'driver').map((l) => l.path)).toEqual(
      [...CUDA_11_2, ...CUDNN_8].map((n) => `/usr/local/cuda-11.2/lib64/${n}`)
    )
    expect(report.gpus).toEqual([{ index: 0, name: 'Tesla T4', computeCapability: '7.5', capabilitySource: 'nvidia-smi' }])
    expect(finding(report, 'capability-0').message).toBe('GPU 0 (Tesla T4) is sm_75: libtensorflow 2.9 has kernels for it')
    expect(report.summary).toBe('CUDA 11 and cuDNN 8 found, NVIDIA driver 460.32.03')
    // The full-version file of the same release is not "another version".
    expect(report.otherVersions).toEqual([])
  })

  it('CUDA 11.2 installed where the loader does not look: add it to LD_LIBRARY_PATH, or run ldconfig when ld.so.conf lists it', () => {
    const tree = {
      ...LINUX_PROC,
      ...nvidiaProc('470.223.02', ['NVIDIA GeForce GTX 1080']),
      '/usr/lib/x86_64-linux-gnu/libcuda.so.1': '',
      ...files('/usr/local/cuda-11.2/lib64', [...CUDA_11_2, ...CUDNN_8])
    }
    const unlisted = linux(machine(tree))
    const hint = finding(unlisted, 'library-path')
    expect(hint.message).toMatch(/^libcudart\.so\.11\.0, .*libcudnn_cnn_train\.so\.8 are in \/usr\/local\/cuda-11\.2\/lib64, where the loader does not look$/)
    expect(hint.action).toMatch(
      /^Add \/usr\/local\/cuda-11\.2\/lib64 to LD_LIBRARY_PATH \(`export LD_LIBRARY_PATH=\/usr\/local\/cuda-11\.2\/lib64:\$LD_LIBRARY_PATH`/
    )
    expect(ids(unlisted)).not.toContain('cuda')
    expect(unlisted.libraries.find((l) => l.file === 'libcudart.so.11.0')?.elsewhere).toEqual(['/usr/local/cuda-11.2/lib64/libcudart.so.11.0'])

    // Listed in ld.so.conf, but the cache was built before CUDA was unpacked.
    const stale = linux(
      machine({
        ...tree,
        '/etc/ld.so.conf': 'include /etc/ld.so.conf.d/*.conf\n',
        '/etc/ld.so.conf.d/cuda-11-2.conf': '/usr/local/cuda-11.2/lib64\n',
        '/etc/ld.so.cache': ldCache(['/usr/lib/x86_64-linux-gnu/libcuda.so.1'])
      })
    )
    expect(finding(stale, 'library-path').message).toMatch(/ld\.so\.conf lists it, but the cache predates these files/)
    expect(finding(stale, 'library-path').action).toBe("Run `sudo ldconfig` so the loader's cache picks up /usr/local/cuda-11.2/lib64.")

    // After ldconfig: the cache has them, no LD_LIBRARY_PATH needed.
    const cached = linux(
      machine({
        ...tree,
        '/etc/ld.so.cache': ldCache(['/usr/lib/x86_64-linux-gnu/libcuda.so.1', ...[...CUDA_11_2, ...CUDNN_8].map((n) => `/usr/local/cuda-11.2/lib64/${n}`)])
      })
    )
    expect(cached.ready).toBe(true)
    expect(cached.gpus[0]).toMatchObject({ computeCapability: '6.1', capabilitySource: 'model name' })
  })

  it('cuDNN 8 without its ops/cnn parts: names the missing files and says to copy all of them', () => {
    const root = machine({
      ...LINUX_PROC,
      ...nvidiaProc('525.147.05', ['NVIDIA GeForce RTX 2070']),
      '/usr/lib/x86_64-linux-gnu/libcuda.so.1': '',
      ...files('/usr/local/cuda-11.2/lib64', [...CUDA_11_2, 'libcudnn.so.8', 'libcudnn_ops_train.so.8'])
    })
    const report = linux(root, { LD_LIBRARY_PATH: '/usr/local/cuda-11.2/lib64' })
    expect(report.ready).toBe(false)
    const parts = finding(report, 'cudnn-parts')
    expect(parts.message).toBe(
      'cuDNN 8 is incomplete: libcudnn.so.8 is in /usr/local/cuda-11.2/lib64 but libcudnn_ops_infer.so.8, libcudnn_cnn_infer.so.8, libcudnn_cnn_train.so.8 are not; the first convolution would fail'
    )
    expect(parts.action).toMatch(/Copy every libcudnn\*\.so\.8\* file of the cuDNN 8\.1 archive into \/usr\/local\/cuda-11\.2\/lib64, not only libcudnn\.so\.8/)
    expect(finding(report, 'cuda').level).toBe('ok')
    expect(ids(report)).not.toContain('cudnn')
  })

  it('WSL: the Windows driver shared in /usr/lib/wsl/lib counts, nvidia-smi there gives the capability, sm_86 warns of the JIT', () => {
    const wsl = {
      '/proc/version': 'Linux version 5.15.133.1-microsoft-standard-WSL2 (root@1c602f52c2e4) (gcc (GCC) 11.2.0) #1 SMP\n',
      '/usr/lib/wsl/lib/libcuda.so.1': '',
      '/usr/lib/wsl/lib/nvidia-smi': nvidiaSmi([{ name: 'NVIDIA GeForce RTX 3060', driver: '546.12', cc: '8.6' }]),
      '/etc/ld.so.conf': 'include /etc/ld.so.conf.d/*.conf\n',
      '/etc/ld.so.conf.d/ld.wsl.conf': '# This file was automatically generated by WSL.\n/usr/lib/wsl/lib\n',
      '/etc/ld.so.cache': ldCache(['/usr/lib/wsl/lib/libcuda.so.1', ...[...CUDA_11_2, ...CUDNN_8].map((n) => `/usr/lib/x86_64-linux-gnu/${n}`)]),
      ...files('/usr/lib/x86_64-linux-gnu', [...CUDA_11_2, ...CUDNN_8])
    }
    const report = linux(machine(wsl))
    expect(report.platform).toBe('wsl')
    expect(report.driver).toEqual({ version: '546.12', source: 'nvidia-smi' })
    expect(finding(report, 'driver')).toMatchObject({
      level: 'ok',
      message: 'Windows NVIDIA driver 546.12 shares CUDA with WSL (/usr/lib/wsl/lib/libcuda.so.1)'
    })
    expect(report.libraries[0]).toMatchObject({ file: 'libcuda.so.1', path: '/usr/lib/wsl/lib/libcuda.so.1' })
    const jit = finding(report, 'capability-0')
    expect(jit.level).toBe('warning')
    expect(jit.message).toMatch(/^GPU 0 \(NVIDIA GeForce RTX 3060\) is sm_86: .*the first run compiles its kernels from PTX for minutes$/)
    expect(jit.action).toMatch(/CUDA_CACHE_MAXSIZE=4294967296/)
    expect(report.ready).toBe(true)
    expect(report.summary).toMatch(/^CUDA 11 and cuDNN 8 found, NVIDIA driver 546\.12; GPU 0 .* is sm_86/)

    // Without the Windows driver's share, the fix is on the Windows side.
    const { '/usr/lib/wsl/lib/libcuda.so.1': _libcuda, '/usr/lib/wsl/lib/nvidia-smi': _smi, ...bare } = wsl
    const missing = linux(machine(bare), { WSL_DISTRO_NAME: 'Ubuntu' })
    expect(missing.platform).toBe('wsl')
    expect(finding(missing, 'driver')).toMatchObject({ level: 'problem', message: expect.stringMatching(/^WSL has no \/usr\/lib\/wsl\/lib\/libcuda\.so\.1/) })
    expect(finding(missing, 'driver').action).toMatch(/NVIDIA driver on Windows.*Do not install a Linux NVIDIA driver inside WSL/)
  })

  it('Windows: the *64_*.dll names on PATH, nvcuda.dll in System32, nvidia-smi.exe reporting sm_90', () => {
    const bin = 'C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v11.2\\bin'
    const dlls = ['cudart64_110.dll', 'cublas64_11.dll', 'cublasLt64_11.dll', 'cufft64_10.dll', 'curand64_10.dll', 'cusolver64_11.dll', 'cusparse64_11.dll']
    const cudnn = ['cudnn64_8.dll', 'cudnn_ops_infer64_8.dll', 'cudnn_ops_train64_8.dll', 'cudnn_cnn_infer64_8.dll', 'cudnn_cnn_train64_8.dll']
    const tree: Tree = {
      'C:\\Windows\\System32\\nvcuda.dll': '',
      'C:\\Windows\\System32\\nvidia-smi.exe': nvidiaSmi([{ name: 'NVIDIA H100 PCIe', driver: '551.61', cc: '9.0' }]),
      ...Object.fromEntries([...dlls, ...cudnn].map((d) => [`${bin}\\${d}`, '']))
    }
    const windows = (root: string, env: Record<string, string>) =>
      diagnoseCuda({
        platform: 'win32',
        arch: 'x64',
        env: { SystemRoot: 'C:\\Windows', CUDA_PATH: bin.replace(/\\bin$/, ''), ...env },
        root,
        tfjsNodeGpu: { version: '4.22.0' }
      })

    // Windows spells the variable "Path"; the doctor reads it all the same.
    const onPath = windows(machine(tree), { Path: `C:\\Windows\\system32;C:\\Windows;${bin}` })
    expect(onPath.platform).toBe('win32')
    expect(onPath.ready).toBe(true)
    expect(onPath.libraries.map((l) => l.file)).toEqual(['nvcuda.dll', ...dlls, ...cudnn])
    expect(onPath.libraries.map((l) => l.path)).toEqual(['C:\\Windows\\System32\\nvcuda.dll', ...[...dlls, ...cudnn].map((d) => `${bin}\\${d}`)])
    expect(finding(onPath, 'driver')).toMatchObject({ level: 'ok', message: 'NVIDIA driver 551.61 (C:\\Windows\\System32\\nvcuda.dll)' })
    expect(finding(onPath, 'capability-0')).toMatchObject({
      level: 'warning',
      message: expect.stringMatching(/is sm_90: libtensorflow 2\.9 has no machine code for it/)
    })

    const offPath = windows(machine(tree), { Path: 'C:\\Windows\\system32' })
    expect(finding(offPath, 'library-path').message).toMatch(
      /^cudart64_110\.dll, .* are in C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v11\.2\\bin, where the loader does not look$/
    )
    expect(finding(offPath, 'library-path').action).toMatch(/^Add C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v11\.2\\bin to PATH/)

    const v12 = 'C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v12.4\\bin'
    const newer = windows(
      machine({
        'C:\\Windows\\System32\\nvcuda.dll': '',
        [`${v12}\\cudart64_12.dll`]: '',
        [`${v12}\\cublas64_12.dll`]: '',
        [`${v12}\\cublasLt64_12.dll`]: '',
        'C:\\Program Files\\NVIDIA\\CUDNN\\v9.1\\bin\\12.4\\cudnn64_9.dll': ''
      }),
      { Path: `C:\\Windows\\system32;${v12}`, CUDA_PATH: v12.replace(/\\bin$/, '') }
    )
    expect(finding(newer, 'versions').message).toBe('CUDA 12 / cuDNN 9 found, needs 11.x / 8.x')
    expect(newer.otherVersions).toEqual(expect.arrayContaining([`${v12}\\cudart64_12.dll`, 'C:\\Program Files\\NVIDIA\\CUDNN\\v9.1\\bin\\12.4\\cudnn64_9.dll']))
    expect(finding(newer, 'cuda').action).toMatch(/Install CUDA Toolkit 11\.2/)

    // CUDA 10.1 spells its release in three digits.
    const v10 = 'C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v10.1\\bin'
    const older = windows(machine({ 'C:\\Windows\\System32\\nvcuda.dll': '', [`${v10}\\cudart64_101.dll`]: '', [`${v10}\\cudnn64_7.dll`]: '' }), { Path: v10 })
    expect(finding(older, 'versions').message).toBe('CUDA 10 / cuDNN 7 found, needs 11.x / 8.x')
  })

  it('compute capability 9.0 warns that the first run JIT-compiles; 7.5 does not; an old nvidia-smi falls back to the model name', () => {
    const base = { ...LINUX_PROC, '/usr/lib/x86_64-linux-gnu/libcuda.so.1': '', ...files('/usr/lib/x86_64-linux-gnu', [...CUDA_11_2, ...CUDNN_8]) }
    const h200 = linux(
      machine({
        ...base,
        ...nvidiaProc('550.54.15', ['NVIDIA H200']),
        '/usr/bin/nvidia-smi': nvidiaSmi([{ name: 'NVIDIA H200', driver: '550.54.15', cc: '9.0' }])
      })
    )
    expect(h200.gpus).toEqual([{ index: 0, name: 'NVIDIA H200', computeCapability: '9.0', capabilitySource: 'nvidia-smi' }])
    expect(finding(h200, 'capability-0')).toMatchObject({
      level: 'warning',
      message: 'GPU 0 (NVIDIA H200) is sm_90: libtensorflow 2.9 has no machine code for it, so the first run compiles its kernels from PTX for minutes'
    })
    expect(h200.ready).toBe(true)

    const t4 = linux(
      machine({ ...base, ...nvidiaProc('460.32.03', ['Tesla T4']), '/usr/bin/nvidia-smi': nvidiaSmi([{ name: 'Tesla T4', driver: '460.32.03', cc: '7.5' }]) })
    )
    expect(t4.findings.filter((f) => f.level === 'warning')).toEqual([])
    expect(finding(t4, 'capability-0').level).toBe('ok')

    // Driver 470's nvidia-smi has no compute_cap field.
    const old = linux(
      machine({
        ...base,
        ...nvidiaProc('470.82.01', ['NVIDIA A100-SXM4-40GB']),
        '/usr/bin/nvidia-smi': nvidiaSmi([{ name: 'NVIDIA A100-SXM4-40GB', driver: '470.82.01', cc: null }])
      })
    )
    expect(old.gpus).toEqual([{ index: 0, name: 'NVIDIA A100-SXM4-40GB', computeCapability: '8.0', capabilitySource: 'model name' }])
    expect(finding(old, 'capability-0').message).toMatch(/is sm_80 \(inferred from the model name\): .*compiles its kernels/)
    expect(ids(old)).not.toContain('nvidia-smi')
  })

  it('an NVIDIA GPU on the PCI bus without its driver, and a driver too old for CUDA 11', () => {
    const noDriver = linux(
      machine({ ...LINUX_PROC, '/sys/bus/pci/devices/0000:01:00.0/vendor': '0x10de\n', '/sys/bus/pci/devices/0000:01:00.0/class': '0x030200\n' })
    )
    expect(finding(noDriver, 'driver')).toMatchObject({ level: 'problem', message: 'an NVIDIA GPU is on the PCI bus but the NVIDIA driver is not loaded' })
    expect(finding(noDriver, 'driver').action).toMatch(/Install the NVIDIA driver \(450\.80\.02 or newer/)

    const old = linux(machine({ ...LINUX_PROC, ...nvidiaProc('418.87.01', ['Tesla V100-SXM2-16GB']), '/usr/lib/x86_64-linux-gnu/libcuda.so.1': '' }))
    expect(finding(old, 'driver-version')).toMatchObject({
      level: 'problem',
      message: 'NVIDIA driver 418.87.01 is older than CUDA 11 needs (450.80.02 or newer)'
    })
  })

  it('says why the package did not give a GPU: load errors and a libtensorflow that registered none', () => {
    const root = machine({ ...LINUX_PROC, ...nvidiaProc('535.104.05', ['NVIDIA GeForce RTX 2080']), '/usr/lib/x86_64-linux-gnu/libcuda.so.1': '' })
    const abi = linux(root, {}, { version: '4.22.0', loadError: 'The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115.' })
    expect(finding(abi, 'package').message).toMatch(/^@tensorflow\/tfjs-node-gpu was built for another Node\.js\/Electron ABI/)
    const lib = linux(root, {}, { version: '4.22.0', loadError: 'libcudnn.so.8: cannot open shared object file: No such file or directory' })
    expect(finding(lib, 'package').message).toMatch(/^@tensorflow\/tfjs-node-gpu is installed but a CUDA library it needs did not load/)
    const cpu = linux(root, {}, { version: '4.22.0', gpuDevice: false })
    expect(finding(cpu, 'gpu-device')).toMatchObject({
      level: 'problem',
      message: '@tensorflow/tfjs-node-gpu loaded, but libtensorflow registered no GPU (it would run on the CPU)'
    })
    expect(cpu.summary).toMatch(/^@tensorflow\/tfjs-node-gpu loaded, but libtensorflow registered no GPU.*; CUDA 11 libraries missing/)
  })

  it('macOS has no CUDA rung and points at webgpu', () => {
    const report = diagnoseCuda({ platform: 'darwin', arch: 'arm64', env: {}, root: machine({}), tfjsNodeGpu: { version: null } })
    expect(report).toMatchObject({ platform: 'darwin', hasNvidia: false, ready: false, libraries: [] })
    expect(report.findings).toEqual([
      {
        id: 'platform',
        level: 'info',
        message: expect.stringMatching(/only for Linux and Windows .* no CUDA on macOS/),
        action: expect.stringMatching(/webgpu \(Metal\)/)
      }
    ])
  })
})

describe('the loader search on this machine', () => {
  it('reads /etc/ld.so.cache as `ldconfig -p` lists it', () => {
    let listed: string
    try {
      listed = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' })
    } catch {
      listed = execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' })
    }
    const expected = new Map<string, string[]>()
    for (const m of listed.matchAll(/^\s+(\S+) \(.*\) => (\S+)$/gm)) {
      const [, name, file] = m as unknown as [string, string, string]
      // The cache maps a library's name to its path; the file there carries the same name.
      if (path.posix.basename(file) === name) expected.set(name, [...(expected.get(name) ?? []), file])
    }
    expect(expected.size).toBeGreaterThan(10)
    const search = new LibrarySearch(new SystemView({ platform: 'linux', arch: process.arch, env: {}, root: null }))
    for (const [name, files] of expected) expect(files).toContain(search.cache.get(name))
  })
})
