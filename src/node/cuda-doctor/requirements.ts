/**
 * What `@tensorflow/tfjs-node-gpu` 4.22 needs. It runs libtensorflow 2.9.1, built against CUDA 11.2 and cuDNN 8.1
 * with kernels for sm_35, sm_50, sm_60, sm_70 and sm_75 and PTX for compute_80 (TensorFlow's release build
 * settings). libtensorflow opens each CUDA library by one exact file name (dso_loader: `lib<name>.so.<version>`
 * on Linux, `<name>64_<version>.dll` on Windows) and registers no GPU when any of them fails to open.
 */
export const TENSORFLOW_GPU = {
  libtensorflow: '2.9.1',
  cuda: '11.2',
  cudnn: '8.1',
  /** CUDA 11.x runs on any driver from these on (minor-version compatibility). */
  minDriver: { linux: '450.80.02', win32: '452.39' },
  /** Oldest GPU with kernels in the build. */
  minCapability: 3.5,
  /** From this capability on there is no prebuilt machine code, only PTX the driver JIT-compiles. */
  jitFromCapability: 8.0
} as const

export interface RequiredLibrary {
  group: 'driver' | 'cuda' | 'cudnn'
  linux: string
  win32: string
  /** Other versions of the same library: the capture is its version as the file name spells it. */
  otherLinux: RegExp | null
  otherWin32: RegExp | null
  /** Whether that version names the CUDA or cuDNN release (cuFFT and cuSPARSE number their own). */
  names?: 'cuda' | 'cudnn'
}

export const REQUIRED_LIBRARIES: RequiredLibrary[] = [
  { group: 'driver', linux: 'libcuda.so.1', win32: 'nvcuda.dll', otherLinux: null, otherWin32: null },
  {
    group: 'cuda',
    linux: 'libcudart.so.11.0',
    win32: 'cudart64_110.dll',
    otherLinux: /^libcudart\.so\.(\d+(?:\.\d+)*)$/,
    otherWin32: /^cudart64_(\d+)\.dll$/i,
    names: 'cuda'
  },
  {
    group: 'cuda',
    linux: 'libcublas.so.11',
    win32: 'cublas64_11.dll',
    otherLinux: /^libcublas\.so\.(\d+)$/,
    otherWin32: /^cublas64_(\d+)\.dll$/i,
    names: 'cuda'
  },
  { group: 'cuda', linux: 'libcublasLt.so.11', win32: 'cublasLt64_11.dll', otherLinux: /^libcublasLt\.so\.(\d+)$/, otherWin32: /^cublasLt64_(\d+)\.dll$/i },
  { group: 'cuda', linux: 'libcufft.so.10', win32: 'cufft64_10.dll', otherLinux: /^libcufft\.so\.(\d+)$/, otherWin32: /^cufft64_(\d+)\.dll$/i },
  { group: 'cuda', linux: 'libcurand.so.10', win32: 'curand64_10.dll', otherLinux: null, otherWin32: null },
  { group: 'cuda', linux: 'libcusolver.so.11', win32: 'cusolver64_11.dll', otherLinux: null, otherWin32: null },
  { group: 'cuda', linux: 'libcusparse.so.11', win32: 'cusparse64_11.dll', otherLinux: /^libcusparse\.so\.(\d+)$/, otherWin32: /^cusparse64_(\d+)\.dll$/i },
  { group: 'cudnn', linux: 'libcudnn.so.8', win32: 'cudnn64_8.dll', otherLinux: /^libcudnn\.so\.(\d+)$/, otherWin32: /^cudnn64_(\d+)\.dll$/i, names: 'cudnn' },
  // libcudnn.so.8 is a shim: it opens these on the first convolution, so a copy of libcudnn.so.8 alone
  // passes libtensorflow's check and fails at the first training step.
  { group: 'cudnn', linux: 'libcudnn_ops_infer.so.8', win32: 'cudnn_ops_infer64_8.dll', otherLinux: null, otherWin32: null },
  { group: 'cudnn', linux: 'libcudnn_ops_train.so.8', win32: 'cudnn_ops_train64_8.dll', otherLinux: null, otherWin32: null },
  { group: 'cudnn', linux: 'libcudnn_cnn_infer.so.8', win32: 'cudnn_cnn_infer64_8.dll', otherLinux: null, otherWin32: null },
  { group: 'cudnn', linux: 'libcudnn_cnn_train.so.8', win32: 'cudnn_cnn_train64_8.dll', otherLinux: null, otherWin32: null }
]

/** The CUDA release a library's version number belongs to (cudart64_110 → 11, libcudart.so.12 → 12). */
export function cudaMajorOf(version: string): number {
  const digits = version.split('.')[0] ?? version
  // Windows spells 11.0 as 110 and 10.1 as 101; CUDA 12 and later as plain 12, 13.
  const n = Number(digits)
  return n >= 100 ? Math.floor(n / 10) : n
}

/**
 * Compute capability from the model name, for drivers whose nvidia-smi cannot report it (older than 510) and
 * for /proc/driver/nvidia/gpus, which gives only the name. Newest families first; unknown names give null.
 */
const CAPABILITY_BY_MODEL: [RegExp, string][] = [
  [/\bGB?[12]00\b|\bB[12]00\b/, '10.0'],
  [/RTX 50\d\d|RTX PRO \d+ Blackwell/, '12.0'],
  [/\bG?H(100|200|800|20)\b/, '9.0'],
  [/RTX 40\d\d|RTX \d+ Ada|\bL(4|20|40S?)\b/, '8.9'],
  [/RTX 30\d\d|RTX A\d{4}|\bA(2|10G?|16|40)\b/, '8.6'],
  [/\bA(30|100|800)\b/, '8.0'],
  [/RTX 20\d\d|GTX 16\d\d|Quadro RTX|TITAN RTX|\bT4\b/, '7.5'],
  [/\bV100\b|TITAN V\b/, '7.0'],
  [/\bP100\b/, '6.0'],
  [/GTX 10\d\d|\bP(4|40)\b|TITAN Xp?\b/, '6.1'],
  [/GTX 9\d\d|\bM(40|60)\b/, '5.2'],
  [/GTX 750/, '5.0'],
  [/\bK80\b/, '3.7']
]

export function capabilityFromModel(name: string): string | null {
  for (const [pattern, capability] of CAPABILITY_BY_MODEL) if (pattern.test(name)) return capability
  return null
}

/** Compares dotted versions numerically: 450.80.02 < 535.104.05. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}
