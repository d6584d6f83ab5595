import type * as tf from '@tensorflow/tfjs'
import { webGpuBackend } from '../backend-internals'

/**
 * `AddN` for any number of inputs. tfjs-backend-webgpu binds every input of its AddN program as a storage
 * buffer, and a WebGPU device allows 8 per shader by default (tfjs does not ask for more): with more inputs
 * pipeline creation fails validation, the sum is garbage, and training sees NaN weights (the trainer's
 * finiteness check sums one value per weight and moment, 60+ of them). This sums the inputs in groups that
 * fit, then sums the group results, as tfjs's own Concat does.
 */
export function createAddN(original: tf.KernelFunc): tf.KernelFunc {
  const addN: tf.KernelFunc = (args) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[]
    const backend = webGpuBackend(args.backend)
    // One storage buffer is the output.
    const fits = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1)
    if (inputs.length <= fits) return original(args)
    const partials: tf.TensorInfo[] = []
    try {
      for (let i = 0; i < inputs.length; i += fits) {
        partials.push(original({ ...args, inputs: inputs.slice(i, i + fits) as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo)
      }
      return addN({ ...args, inputs: partials as unknown as tf.NamedTensorInfoMap })
    } finally {
      // A group of one is an Identity that shares its input's buffer with one more reference: this drops
      // that reference, never the input.
      for (const partial of partials) backend.disposeData(partial.dataId)
    }
  }
  return addN
}
