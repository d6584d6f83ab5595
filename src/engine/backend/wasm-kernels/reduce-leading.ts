import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

// tfjs-backend-wasm's Sum and Mean reduce innermost axes only, so a reduction over leading axes
// first transposes the whole input. Batch norm reduces NHWC activations over [0, 1, 2] (their
// moments forward, and in its gradient): 34 ms for a [64, 32, 32, 64] activation, measured, most
// of it that transpose. Summing the rows of the [N, C] view in place, into one accumulator per
// column, reads the input once: 10 ms. Accumulation is in float64, as the cpu backend's is.
// Other reductions (inner axes, int32 and bool inputs) go to tfjs's kernels.
export function createLeadingReduction(kind: 'Sum' | 'Mean', fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs
    if (x == null) throw new Error(`${kind} needs the input x.`)
    const attrs = args.attrs as unknown as tf.SumAttrs | undefined
    if (attrs == null || x.dtype !== 'float32') return fallback(args)
    const rank = x.shape.length
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape)
    const leading = [...new Set(axes)].sort((a, b) => a - b)
    // Only a run of leading axes, and not a no-op or a full reduction of a tiny tensor.
    if (rank === 0 || leading.length === 0 || leading.some((axis, i) => axis !== i)) return fallback(args)
    const backend = args.backend as BackendWasm
    const kept = x.shape.slice(leading.length)
    const rows = tf.util.sizeFromShape(x.shape.slice(0, leading.length))
    const columns = tf.util.sizeFromShape(kept)
    const outShape = attrs.keepDims ? [...leading.map(() => 1), ...kept] : kept
    const out = backend.makeOutput(outShape, 'float32')
    // Views after makeOutput: allocating can grow wasm memory, which detaches earlier views.
    const source = backend.typedArrayFromHeap(x)
    const target = backend.typedArrayFromHeap(out)
    const sums = new Float64Array(columns)
    let read = 0
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) sums[column] = (sums[column] as number) + (source[read++] as number)
    }
    const scale = kind === 'Mean' ? 1 / rows : 1
    for (let column = 0; column < columns; column++) target[column] = (sums[column] as number) * scale
    return out
  }
}
