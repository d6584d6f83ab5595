import type * as tf from '@tensorflow/tfjs'

// tfjs-backend-wasm's Identity copies its input into a new buffer. The engine calls Identity for
// every tensor it saves for backprop (Engine.saveTensorsForBackwardMode clones them) and for every
// tf.clone: 488 copies in one 64×64 DCGAN training step, 150–240 ms of it, measured. tfjs tensors
// are immutable and wasm kernels always write to fresh outputs, so, as the cpu and webgl backends
// do, the output can be the same buffer with one more reference. Strings keep tfjs's kernel.
export function createIdentity(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs
    if (x == null) throw new Error('Identity needs the input x.')
    if (x.dtype === 'string') return fallback(args)
    const backend = args.backend as tf.KernelBackend
    backend.incRef(x.dataId)
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
  }
}
