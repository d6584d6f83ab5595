import * as tf from '@tensorflow/tfjs'
import { webGpuBackend } from '../backend-internals'

/**
 * The inner size from which tfjs-backend-webgpu 4.22 may pick its split-K program for an unbatched product
 * (`batchMatMulImpl`: batch 1 and an inner size of 2000 or more, when the output needs few workgroups).
 */
const SPLIT_K_INNER = 2000

/**
 * `BatchMatMul` and `_FusedMatMul` with `transposeB`. tfjs-backend-webgpu's split-K program reads B four values
 * at a time along the wrong axis when B is transposed (its packed program turns vectorised reads off for a
 * transposed B; split-K does not), so `a · bᵀ` over a long inner dimension comes out wrong (relative error ≈ 1
 * against cpu, on any GPU). A dense layer's input gradient is exactly that product (dy · Wᵀ, inner size = the
 * layer's units): G's gradient with respect to z, which projection follows, was wrong. Where split-K could be
 * picked, this transposes B first (a copy the size of the weights) and multiplies without the transpose.
 */
export function createMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as { transposeB: boolean }
    const { b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo }
    const rank = b.shape.length
    const inner = b.shape[rank - 1] ?? 0
    const batch = tf.util.sizeFromShape(b.shape.slice(0, -2))
    if (!attrs.transposeB || inner < SPLIT_K_INNER || batch !== 1) return original(args)
    const backend = webGpuBackend(args.backend)
    const transpose = tf.getKernel(tf.Transpose, 'webgpu') as tf.KernelConfig | undefined
    if (!transpose) return original(args)
    const perm = [...Array(rank).keys()]
    perm[rank - 2] = rank - 1
    perm[rank - 1] = rank - 2
    const transposed = transpose.kernelFunc({ inputs: { x: b }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo
    try {
      return original({ ...args, inputs: { ...args.inputs, b: transposed }, attrs: { ...args.attrs, transposeB: false } })
    } finally {
      backend.disposeData(transposed.dataId)
    }
  }
}
