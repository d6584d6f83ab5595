import type { CudaReport } from '../../shared/api/cuda-doctor'
import { type CudaDoctorInput, diagnoseCuda } from './diagnose'

export { type CudaDoctorInput, diagnoseCuda } from './diagnose'
export { PROBE_ENV, PROBE_EXPECTED, PROBE_INPUTS, type ProbeRun, readProbeRun } from './probe-log'
export { TENSORFLOW_GPU } from './requirements'

/** The doctor on this machine: its real platform, environment and files. */
export function diagnoseThisMachine(tfjsNodeGpu: CudaDoctorInput['tfjsNodeGpu']): CudaReport {
  return diagnoseCuda({ platform: process.platform, arch: process.arch, env: process.env, root: null, tfjsNodeGpu })
}
