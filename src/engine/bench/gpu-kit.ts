/**
 * The entry of the GPU measuring kit (scripts/gpu-kit.mjs bundles it, with every dependency but Dawn's addon,
 * into one file that runs on a machine without node_modules): the benchmark, and the CUDA doctor's report
 * for the machine it runs on, so one command on a lent GPU measures both GPU rungs' situation.
 */
import type { CudaReport } from '../../shared/api/cuda-doctor'
import { diagnoseThisMachine } from '../../node/cuda-doctor'

export * from './index'

/** The CUDA doctor on this machine, as `dcgan-studio doctor` reports it when tfjs-node-gpu is not installed. */
export function cudaDoctorReport(): CudaReport {
  return diagnoseThisMachine({ version: null })
}
