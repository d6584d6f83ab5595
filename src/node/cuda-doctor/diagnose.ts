import type { CudaFinding, CudaGpu, CudaLibrary, CudaReport } from '../../shared/api/cuda-doctor'
import { LibrarySearch } from './library-search'
import { type DriverFacts, isWsl, readDriver } from './nvidia-driver'
import { REQUIRED_LIBRARIES, TENSORFLOW_GPU, compareVersions, cudaMajorOf } from './requirements'
import { type SystemInput, SystemView } from './system-view'

export interface CudaDoctorInput extends SystemInput {
  /** @tensorflow/tfjs-node-gpu as the caller knows it: installed version, why it failed to load, whether
   * libtensorflow registered a GPU device once it loaded (undefined: not loaded here). */
  tfjsNodeGpu: { version: string | null; loadError?: string | null; gpuDevice?: boolean }
}

const PACKAGE = '@tensorflow/tfjs-node-gpu'

/**
 * The CUDA doctor: everything the tensorflow-gpu rung needs, checked the way libtensorflow's loader will look
 * for it, each problem with what to do. Reads files and may run nvidia-smi; changes nothing.
 */
export function diagnoseCuda(input: CudaDoctorInput): CudaReport {
  const view = new SystemView(input)
  const wsl = isWsl(view)
  const platform: CudaReport['platform'] = view.windows
    ? 'win32'
    : input.platform === 'linux'
      ? wsl
        ? 'wsl'
        : 'linux'
      : input.platform === 'darwin'
        ? 'darwin'
        : 'other'
  const findings: CudaFinding[] = []
  const add = (id: string, level: CudaFinding['level'], message: string, action: string | null = null): void => {
    findings.push({ id, level, message, action })
  }

  if (platform === 'darwin' || platform === 'other') {
    add(
      'platform',
      'info',
      `${PACKAGE} exists only for Linux and Windows with an NVIDIA GPU; there is no CUDA on ${platform === 'darwin' ? 'macOS' : input.platform}`,
      platform === 'darwin' ? 'Nothing to install: on a Mac the GPU rung is webgpu (Metal).' : 'Use the webgpu rung or a CPU rung.'
    )
    return finish(platform, { version: null, source: null }, [], [], [], findings, false)
  }

  packageFindings(input.tfjsNodeGpu, add)

  const search = new LibrarySearch(view)
  const libraries: CudaLibrary[] = REQUIRED_LIBRARIES.map((lib) => {
    const file = view.windows ? lib.win32 : lib.linux
    return { group: lib.group, file, ...search.locate(file) }
  })
  const driver = readDriver(view)
  const libcuda = libraries.find((l) => l.group === 'driver') as CudaLibrary
  const anyNvidia = driver.kernelModule || driver.gpus.length > 0 || driver.pciDevices > 0 || driver.version !== null || libcuda.path !== null

  if (!anyNvidia && !wsl && !view.windows) {
    // Nothing here can be fixed by installing CUDA: say so as notes, not as problems.
    for (const f of findings) if (f.level === 'problem') f.level = 'info'
    add(
      'gpu',
      'info',
      'no NVIDIA GPU found (no NVIDIA driver in /proc/driver/nvidia, no NVIDIA device on the PCI bus, no nvidia-smi)',
      'The tensorflow-gpu rung needs an NVIDIA GPU. Other GPUs train through the webgpu rung.'
    )
    return finish(platform, driverOf(driver), driver.gpus, libraries, otherVersions(search, view), findings, false)
  }

  driverFindings(view, platform, driver, libcuda, add)
  libraryFindings(view, search, libraries, add)
  for (const gpu of driver.gpus) capabilityFinding(gpu, add)
  return finish(platform, driverOf(driver), driver.gpus, libraries, otherVersions(search, view), findings, true)
}

type Add = (id: string, level: CudaFinding['level'], message: string, action?: string | null) => void

function packageFindings(pkg: CudaDoctorInput['tfjsNodeGpu'], add: Add): void {
  if (pkg.version === null) {
    add(
      'package',
      'problem',
      `${PACKAGE} is not installed (an optional dependency; its install step downloads libtensorflow 2.9.1, which needs the internet)`,
      `Online, run \`npm install ${PACKAGE}@4.22.0\` in the studio's folder, then restart the engine. That download has been reported failing (tensorflow/tfjs#8742); the checks below say what else the rung needs.`
    )
    return
  }
  if (pkg.loadError) {
    const first = pkg.loadError.split('\n')[0] ?? pkg.loadError
    if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(pkg.loadError)) {
      add(
        'package',
        'problem',
        `${PACKAGE} was built for another Node.js/Electron ABI: ${first}`,
        `Reinstall it with the Node.js that runs the studio: \`npm rebuild ${PACKAGE}\`.`
      )
    } else if (/libcud|cudnn|cublas|cufft|curand|cusolver|cusparse|nvcuda/i.test(pkg.loadError)) {
      add(
        'package',
        'problem',
        `${PACKAGE} is installed but a CUDA library it needs did not load: ${first}`,
        'The library checks below say which file is missing and where to put it.'
      )
    } else {
      add(
        'package',
        'problem',
        `${PACKAGE} failed to load: ${first}`,
        `On Windows "The specified module could not be found" means a DLL it needs is missing: see the library checks below. Otherwise reinstall it: \`npm install ${PACKAGE}@4.22.0\`.`
      )
    }
    return
  }
  if (pkg.gpuDevice === false) {
    add(
      'gpu-device',
      'problem',
      `${PACKAGE} loaded, but libtensorflow registered no GPU (it would run on the CPU)`,
      'Fix the problems listed here; if none are listed, `dcgan-studio doctor` runs a one-op probe whose libtensorflow log names the file that failed.'
    )
  } else if (pkg.gpuDevice === true) {
    add('gpu-device', 'ok', `${PACKAGE} loaded and libtensorflow registered GPU:0`)
  } else {
    add('package', 'ok', `${PACKAGE} ${pkg.version} is installed`)
  }
}

function driverFindings(view: SystemView, platform: CudaReport['platform'], driver: DriverFacts, libcuda: CudaLibrary, add: Add): void {
  const min = view.windows ? TENSORFLOW_GPU.minDriver.win32 : TENSORFLOW_GPU.minDriver.linux
  const version = driver.version ? `NVIDIA driver ${driver.version}` : 'NVIDIA driver (version unknown)'
  if (platform === 'wsl') {
    const wslLibcuda = '/usr/lib/wsl/lib/libcuda.so.1'
    if (!view.exists(wslLibcuda)) {
      add(
        'driver',
        'problem',
        `WSL has no ${wslLibcuda}: the Windows NVIDIA driver does not share CUDA with this WSL`,
        'Install or update the NVIDIA driver on Windows (R470 or newer shares CUDA with WSL 2; WSL 1 has no GPU), then run `wsl --shutdown`. Do not install a Linux NVIDIA driver inside WSL.'
      )
    } else if (libcuda.path && !libcuda.path.startsWith('/usr/lib/wsl/lib/')) {
      add(
        'driver',
        'warning',
        `the loader finds a Linux driver's libcuda.so.1 (${libcuda.path}) before WSL's ${wslLibcuda}; it cannot reach the GPU from inside WSL`,
        "Remove the Linux NVIDIA driver packages from this WSL distribution (e.g. `sudo apt remove --purge 'libnvidia-compute-*'`) and keep /usr/lib/wsl/lib first."
      )
    } else if (!libcuda.path) {
      add(
        'driver',
        'problem',
        `${wslLibcuda} exists but the loader does not find it`,
        'Run `sudo ldconfig` (WSL lists /usr/lib/wsl/lib in /etc/ld.so.conf.d/ld.wsl.conf), or add /usr/lib/wsl/lib to LD_LIBRARY_PATH.'
      )
    } else {
      add('driver', 'ok', `Windows ${version} shares CUDA with WSL (${wslLibcuda})`)
    }
  } else if (view.windows) {
    if (!libcuda.path) {
      add(
        'driver',
        'problem',
        'no NVIDIA driver: nvcuda.dll is not in System32',
        `Install the NVIDIA driver (${min} or newer) from nvidia.com/drivers and restart.`
      )
    } else {
      add('driver', 'ok', `${version} (${libcuda.path})`)
    }
  } else if (!driver.kernelModule && driver.version === null) {
    add(
      'driver',
      'problem',
      driver.pciDevices > 0
        ? 'an NVIDIA GPU is on the PCI bus but the NVIDIA driver is not loaded'
        : 'the NVIDIA driver is not loaded (no /proc/driver/nvidia)',
      `Install the NVIDIA driver (${min} or newer; on Ubuntu \`sudo ubuntu-drivers install\`, elsewhere your distribution's nvidia-driver package) and reboot. In a container, start it with the NVIDIA Container Toolkit (\`docker run --gpus all\`).`
    )
  } else if (!libcuda.path) {
    const dir = libcuda.elsewhere[0] ? dirOf(libcuda.elsewhere[0]) : null
    add(
      'driver',
      'problem',
      `${version} is loaded but the loader does not find its CUDA library libcuda.so.1`,
      dir
        ? `It is in ${dir}: ${pathAction(view, dir, false)}`
        : "Install the driver's CUDA library (Debian/Ubuntu: the libnvidia-compute or libcuda1 package matching the driver; Fedora: xorg-x11-drv-nvidia-cuda-libs). In a container, start it with `docker run --gpus all`."
    )
  } else {
    add('driver', 'ok', `${version} (${driver.versionSource ?? libcuda.path}); libcuda.so.1 at ${libcuda.path}`)
  }
  if (driver.version && compareVersions(driver.version, min) < 0) {
    add('driver-version', 'problem', `${version} is older than CUDA 11 needs (${min} or newer)`, 'Update the NVIDIA driver.')
  }
  if (driver.smi.error) {
    add(
      'nvidia-smi',
      'warning',
      `nvidia-smi (${driver.smi.path}) failed: ${driver.smi.error}`,
      'After a driver update, reboot; if it persists, reinstall the NVIDIA driver (the kernel module and its libraries must be the same version).'
    )
  }
}

function libraryFindings(view: SystemView, search: LibrarySearch, libraries: CudaLibrary[], add: Add): void {
  const cudaLibs = libraries.filter((l) => l.group === 'cuda')
  const cudnnLibs = libraries.filter((l) => l.group === 'cudnn')
  const linux = !view.windows

  const others = otherReleases(search, view)
  // A folder of another release (CUDA 12's lib64 holds a libcurand.so.10 too) is no place to point the loader
  // at: files found only there count as missing.
  const anchor = { cuda: view.windows ? 'cudart64_110.dll' : 'libcudart.so.11.0', cudnn: view.windows ? 'cudnn64_8.dll' : 'libcudnn.so.8' }
  const usable = (lib: CudaLibrary): string[] =>
    lib.elsewhere.filter((file) => {
      const dir = dirOf(file)
      const group = lib.group === 'cudnn' ? 'cudnn' : 'cuda'
      return !others.dirs[group].has(dir) || view.findIn(dir, anchor[group]) !== null
    })

  // Installed, but where the loader does not look: one finding per folder, with the line that fixes it.
  const byDir = new Map<string, string[]>()
  for (const lib of [...cudaLibs, ...cudnnLibs]) {
    const copies = lib.path ? [] : usable(lib)
    if (copies.length === 0) continue
    const dir = dirOf(copies[0] as string)
    byDir.set(dir, [...(byDir.get(dir) ?? []), lib.file])
  }
  for (const [dir, files] of byDir) {
    const configured = linux && search.configured(dir)
    add(
      'library-path',
      'problem',
      `${list(files)} ${files.length === 1 ? 'is' : 'are'} in ${dir}, where the loader does not look${configured ? ' (ld.so.conf lists it, but the cache predates these files)' : ''}`,
      pathAction(view, dir, configured)
    )
  }

  const missing = (libs: CudaLibrary[]): string[] => libs.filter((l) => !l.path && usable(l).length === 0).map((l) => l.file)
  const cudaMissing = missing(cudaLibs)
  const cudnnMain = cudnnLibs[0] as CudaLibrary
  const cudnnMissing = missing(cudnnLibs)

  const found: string[] = []
  const needs: string[] = []
  if (cudaMissing.length > 0 && others.cuda.length > 0) {
    found.push(`CUDA ${others.cuda.join(', ')}`)
    needs.push('11.x')
  }
  if (cudnnMissing.length > 0 && others.cudnn.length > 0) {
    found.push(`cuDNN ${others.cudnn.join(', ')}`)
    needs.push('8.x')
  }
  if (found.length > 0) {
    add(
      'versions',
      'problem',
      `${found.join(' / ')} found, needs ${needs.join(' / ')}`,
      `libtensorflow 2.9 opens CUDA 11 and cuDNN 8 by file name; newer versions do not stand in (renamed or symlinked files fail at the first kernel). Install CUDA ${TENSORFLOW_GPU.cuda} and cuDNN ${TENSORFLOW_GPU.cudnn} beside them: the versions coexist.`
    )
  }

  if (cudaMissing.length > 0) {
    add(
      'cuda',
      'problem',
      `CUDA 11 libraries missing: ${list(cudaMissing)}`,
      linux
        ? `Install CUDA ${TENSORFLOW_GPU.cuda}'s runtime libraries (the CUDA Toolkit 11.2 archive at developer.nvidia.com/cuda-toolkit-archive, or \`sudo apt install cuda-libraries-11-2\` from NVIDIA's repository); they go to /usr/local/cuda-11.2/lib64 — then add that folder to LD_LIBRARY_PATH.`
        : `Install CUDA Toolkit ${TENSORFLOW_GPU.cuda} (developer.nvidia.com/cuda-toolkit-archive); its installer puts the DLLs in C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v11.2\\bin and adds that folder to PATH.`
    )
  } else if (cudaLibs.every((l) => l.path)) {
    add('cuda', 'ok', `CUDA 11 libraries found (${dirsOf(cudaLibs)})`)
  }

  if (cudnnMissing.includes(cudnnMain.file)) {
    add(
      'cudnn',
      'problem',
      `cuDNN 8 missing (${cudnnMain.file})`,
      linux
        ? `Install cuDNN ${TENSORFLOW_GPU.cudnn} for CUDA 11 (the "cuDNN v8.1.x for CUDA 11.0, 11.1 and 11.2" archive at developer.nvidia.com/rdp/cudnn-archive, or \`sudo apt install 'libcudnn8=8.1.*+cuda11.2'\`) and copy all its libcudnn*.so.8* files into one folder the loader searches.`
        : `Install cuDNN ${TENSORFLOW_GPU.cudnn} for CUDA 11 (developer.nvidia.com/rdp/cudnn-archive): copy every bin\\cudnn*64_8.dll from the archive into CUDA v11.2's bin folder or another folder on PATH.`
    )
  } else if (cudnnMissing.length > 0) {
    const where = dirOf(cudnnMain.path ?? (usable(cudnnMain)[0] as string))
    add(
      'cudnn-parts',
      'problem',
      `cuDNN 8 is incomplete: ${cudnnMain.file} is in ${where} but ${list(cudnnMissing)} ${cudnnMissing.length === 1 ? 'is' : 'are'} not; the first convolution would fail`,
      linux
        ? `Copy every libcudnn*.so.8* file of the cuDNN ${TENSORFLOW_GPU.cudnn} archive into ${where}, not only libcudnn.so.8, then run \`sudo ldconfig\`.`
        : `Copy every cudnn*64_8.dll of the cuDNN ${TENSORFLOW_GPU.cudnn} archive into ${where}, not only cudnn64_8.dll.`
    )
  } else if (cudnnLibs.every((l) => l.path)) {
    add('cudnn', 'ok', `cuDNN 8 found (${dirsOf(cudnnLibs)})`)
  }
}

function capabilityFinding(gpu: CudaGpu, add: Add): void {
  const label = `GPU ${gpu.index}${gpu.name ? ` (${gpu.name})` : ''}`
  const id = `capability-${gpu.index}`
  if (gpu.computeCapability === null) {
    add(
      id,
      'info',
      `${label}: compute capability unknown`,
      'nvidia-smi from driver 510 on reports it (`nvidia-smi --query-gpu=compute_cap --format=csv`). From sm_80 on, the first run JIT-compiles kernels for minutes.'
    )
    return
  }
  const cc = Number(gpu.computeCapability)
  const sm = `sm_${gpu.computeCapability.replace('.', '')}`
  const inferred = gpu.capabilitySource === 'model name' ? ' (inferred from the model name)' : ''
  if (cc < TENSORFLOW_GPU.minCapability) {
    add(
      id,
      'problem',
      `${label} is ${sm}${inferred}: libtensorflow 2.9 needs sm_35 or newer`,
      'This GPU cannot run the tensorflow-gpu rung; use webgpu or a CPU rung.'
    )
  } else if (cc >= TENSORFLOW_GPU.jitFromCapability) {
    add(
      id,
      'warning',
      `${label} is ${sm}${inferred}: libtensorflow 2.9 has no machine code for it, so the first run compiles its kernels from PTX for minutes`,
      'Let the first run finish. Set CUDA_CACHE_MAXSIZE=4294967296 (the largest) so the driver keeps every compiled kernel and later starts skip the compile.'
    )
  } else {
    add(id, 'ok', `${label} is ${sm}${inferred}: libtensorflow 2.9 has kernels for it`)
  }
}

/** What fixes "installed in `dir`, but the loader does not look there". */
function pathAction(view: SystemView, dir: string, configured: boolean): string {
  if (view.windows) return `Add ${dir} to PATH (Settings → System → About → Advanced system settings → Environment Variables), then restart the studio.`
  if (configured) return `Run \`sudo ldconfig\` so the loader's cache picks up ${dir}.`
  return `Add ${dir} to LD_LIBRARY_PATH (\`export LD_LIBRARY_PATH=${dir}:$LD_LIBRARY_PATH\`, e.g. in ~/.profile), or register it once: \`echo ${dir} | sudo tee /etc/ld.so.conf.d/cuda-11.conf && sudo ldconfig\`.`
}

/** Other CUDA and cuDNN releases present (12, 13 / 9) and their folders, from the libraries that name them. */
function otherReleases(search: LibrarySearch, view: SystemView): { cuda: number[]; cudnn: number[]; dirs: { cuda: Set<string>; cudnn: Set<string> } } {
  const majors = { cuda: new Set<number>(), cudnn: new Set<number>() }
  const dirs = { cuda: new Set<string>(), cudnn: new Set<string>() }
  for (const lib of REQUIRED_LIBRARIES) {
    const pattern = view.windows ? lib.otherWin32 : lib.otherLinux
    if (!pattern || !lib.names) continue
    const want = lib.names === 'cuda' ? 11 : 8
    for (const file of search.matching(pattern)) {
      const version = pattern.exec(view.paths.basename(file))?.[1]
      if (!version) continue
      const major = lib.names === 'cuda' ? cudaMajorOf(version) : Number(version.split('.')[0])
      if (major === want) continue
      majors[lib.names].add(major)
      dirs[lib.names].add(dirOf(file))
    }
  }
  const sorted = (s: Set<number>): number[] => [...s].sort((a, b) => a - b)
  return { cuda: sorted(majors.cuda), cudnn: sorted(majors.cudnn), dirs }
}

function otherVersions(search: LibrarySearch, view: SystemView): string[] {
  const files = new Set<string>()
  for (const lib of REQUIRED_LIBRARIES) {
    const pattern = view.windows ? lib.otherWin32 : lib.otherLinux
    if (!pattern) continue
    const exact = view.windows ? lib.win32.toLowerCase() : lib.linux
    for (const file of search.matching(pattern)) {
      const name = view.paths.basename(file)
      if ((view.windows ? name.toLowerCase() : name) === exact) continue
      const version = pattern.exec(name)?.[1] ?? ''
      const major = lib.names === 'cudnn' ? Number(version.split('.')[0]) : cudaMajorOf(version)
      // Full-version files of the wanted release (libcudart.so.11.2.152) are the same library, not another one.
      if (lib.names === 'cuda' && major === 11) continue
      if (lib.names === 'cudnn' && major === 8) continue
      files.add(file)
    }
  }
  return [...files].sort()
}

function finish(
  platform: CudaReport['platform'],
  driver: CudaReport['driver'],
  gpus: CudaGpu[],
  libraries: CudaLibrary[],
  others: string[],
  findings: CudaFinding[],
  hasNvidia: boolean
): CudaReport {
  const problems = findings.filter((f) => f.level === 'problem')
  const warnings = findings.filter((f) => f.level === 'warning')
  const ready = hasNvidia && problems.length === 0
  const summary = ready
    ? [`CUDA 11 and cuDNN 8 found${driver.version ? `, NVIDIA driver ${driver.version}` : ''}`, ...warnings.map((w) => w.message)].join('; ')
    : (hasNvidia ? problems : findings).map((p) => p.message).join('; ')
  return { platform, driver, gpus, libraries, otherVersions: others, findings, hasNvidia, ready, summary }
}

function driverOf(driver: DriverFacts): CudaReport['driver'] {
  return { version: driver.version, source: driver.versionSource }
}

function dirOf(file: string): string {
  return file.slice(0, Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')))
}

function dirsOf(libs: CudaLibrary[]): string {
  return [...new Set(libs.map((l) => dirOf(l.path as string)))].join(', ')
}

function list(files: string[]): string {
  return files.join(', ')
}
