import type { CudaReport } from '../../shared/api/cuda-doctor'
import { type CudaDoctorInput, diagnoseCuda } from './diagnose'

export { type CudaDoctorInput, diagnoseCuda } from './diagnose'
export { PROBE_ENV, PROBE_EXPECTED, PROBE_INPUTS, type ProbeRun, readProbeRun } from './probe-log'
export { TENSORFLOW_GPU } from './requirements'

/**
 * The doctor on this machine: its platform, environment and files. DCGAN_STUDIO_CUDA_DOCTOR_ROOT names a folder
 * to read the files from instead of `/`: the end-to-end tests point it at fixture machines (test-machines.ts)
 * to see the real engine and UI explain a CUDA setup this machine does not have.
 */
export function diagnoseThisMachine(tfjsNodeGpu: CudaDoctorInput['tfjsNodeGpu']): CudaReport {
  const root = process.env.DCGAN_STUDIO_CUDA_DOCTOR_ROOT || null
  return diagnoseCuda({ platform: process.platform, arch: process.arch, env: process.env, root, tfjsNodeGpu })
}
