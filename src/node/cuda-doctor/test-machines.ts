import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/**
 * Fixture machines for the CUDA doctor, for tests on both sides: a temp folder standing in for `/` (or holding
 * drive folders for Windows) with empty files named like the real libraries, fake /proc and /sys files, an
 * /etc/ld.so.cache in glibc's layout and, where wanted, an nvidia-smi script that answers like the real one.
 */
export type MachineTree = Record<string, string | Buffer>

/** Writes the tree under a new temp folder (Windows paths `C:\…` go to `C/…`) and returns that folder. */
export function writeMachine(files: MachineTree): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cuda-machine-'))
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(
      root,
      ...file
        .split(/[\\/]/)
        .filter(Boolean)
        .map((part) => part.replace(/:$/, ''))
    )
    fs.mkdirSync(path.dirname(full), { recursive: true })
    fs.writeFileSync(full, content)
    if (typeof content === 'string' && content.startsWith('#!')) fs.chmodSync(full, 0o755)
  }
  return root
}

/** /etc/ld.so.cache as glibc writes it: a magic header, then the entries' NUL-terminated strings. */
export function ldCache(paths: string[]): Buffer {
  const strings = paths.flatMap((p) => [path.posix.basename(p), p])
  return Buffer.concat([Buffer.from('glibc-ld.so.cache1.1'), Buffer.alloc(28), Buffer.from(`${strings.join('\0')}\0`, 'latin1')])
}

/** nvidia-smi as a driver of that version answers the doctor's two queries (drivers before 510 refuse compute_cap). */
export function nvidiaSmi(gpus: { name: string; driver: string; cc: string | null }[]): string {
  const full = gpus.map((g, i) => `${i}, ${g.name}, ${g.driver}, ${g.cc}`).join('\\n')
  const short = gpus.map((g, i) => `${i}, ${g.name}, ${g.driver}`).join('\\n')
  const capability = gpus.every((g) => g.cc !== null) ? `printf '${full}\\n'` : `echo 'Field "compute_cap" is not a valid field to query.'; exit 2`
  return `#!/bin/sh\ncase "$*" in\n  *compute_cap*) ${capability} ;;\n  *) printf '${short}\\n' ;;\nesac\n`
}

export const LINUX_PROC: MachineTree = { '/proc/version': 'Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP Debian 6.1.76-1\n' }

/** A loaded NVIDIA kernel module with these GPUs, and the first of them on the PCI bus. */
export function nvidiaProc(version: string, models: string[]): MachineTree {
  const tree: MachineTree = {
    '/proc/driver/nvidia/version': `NVRM version: NVIDIA UNIX x86_64 Kernel Module  ${version}  Sat Aug 19 01:15:15 UTC 2023\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n`,
    '/sys/bus/pci/devices/0000:01:00.0/vendor': '0x10de\n',
    '/sys/bus/pci/devices/0000:01:00.0/class': '0x030000\n'
  }
  models.forEach((model, i) => {
    tree[`/proc/driver/nvidia/gpus/0000:0${i + 1}:00.0/information`] = `Model: \t\t ${model}\nIRQ:   \t\t 142\nGPU UUID: \t GPU-5b2c\nBus Type: \t PCIe\n`
  })
  return tree
}

export const CUDA_11_2 = [
  'libcudart.so.11.0',
  'libcublas.so.11',
  'libcublasLt.so.11',
  'libcufft.so.10',
  'libcurand.so.10',
  'libcusolver.so.11',
  'libcusparse.so.11'
]
export const CUDNN_8 = ['libcudnn.so.8', 'libcudnn_ops_infer.so.8', 'libcudnn_ops_train.so.8', 'libcudnn_cnn_infer.so.8', 'libcudnn_cnn_train.so.8']
export const CUDA_12 = [
  'libcudart.so.12',
  'libcublas.so.12',
  'libcublasLt.so.12',
  'libcufft.so.11',
  'libcurand.so.10',
  'libcusolver.so.11',
  'libcusparse.so.12'
]
export const CUDNN_9 = ['libcudnn.so.9', 'libcudnn_ops.so.9', 'libcudnn_cnn.so.9', 'libcudnn_graph.so.9']

export function files(dir: string, names: string[]): MachineTree {
  return Object.fromEntries(names.map((n) => [`${dir}/${n}`, '']))
}

/** The common case the doctor is for: a new GPU (H200, sm_90) and a current driver with CUDA 12 and cuDNN 9. */
export function cuda12Machine(): MachineTree {
  return {
    ...LINUX_PROC,
    ...nvidiaProc('550.54.15', ['NVIDIA H200']),
    '/usr/bin/nvidia-smi': nvidiaSmi([{ name: 'NVIDIA H200', driver: '550.54.15', cc: '9.0' }]),
    '/usr/lib/x86_64-linux-gnu/libcuda.so.1': '',
    ...files('/usr/local/cuda-12.4/lib64', CUDA_12),
    ...files('/usr/lib/x86_64-linux-gnu', CUDNN_9)
  }
}
