import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

// tfjs-backend-wasm's Tile computes every output element's source index in a C++ loop: 160 ms to
// tile a [1, 1, 1, 64] vector to [64, 32, 32, 64], measured. Training calls it for every batch norm:
// the gradient of tf.batchNorm tiles its [C] statistics to the activation's full shape. Tiling is
// block copying: the input's innermost rows are copied once, then each axis, innermost first,
// repeats the block it has so far with copyWithin (a memmove), doubling the copied span each time.
// That is 10–100× faster; the output is the same element for element.
export function createTile(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs
    if (x == null) throw new Error('Tile needs the input x.')
    const reps = (args.attrs as unknown as tf.TileAttrs | undefined)?.reps
    if (reps == null || reps.length !== x.shape.length || x.dtype === 'string' || x.dtype === 'complex64') return fallback(args)
    const backend = args.backend as BackendWasm
    const outShape = x.shape.map((size, i) => size * (reps[i] as number))
    const out = backend.makeOutput(outShape, x.dtype)
    if (tf.util.sizeFromShape(outShape) === 0) return out
    // Views after makeOutput: allocating can grow wasm memory, which detaches earlier views.
    const source = backend.typedArrayFromHeap(x)
    const target = backend.typedArrayFromHeap(out)
    if (x.shape.length === 0) {
      target.set(source)
      return out
    }
    const shape = x.shape
    const sourceStrides = strides(shape)
    const targetStrides = strides(outShape)
    const last = shape.length - 1
    // Writes the tile of x[…, axis…] that starts at `from` into `to`, then its repeats.
    const fill = (axis: number, from: number, to: number): void => {
      const size = shape[axis] as number
      const step = targetStrides[axis] as number
      if (axis === last) {
        target.set(source.subarray(from, from + size), to)
      } else {
        for (let i = 0; i < size; i++) fill(axis + 1, from + i * (sourceStrides[axis] as number), to + i * step)
      }
      repeatBlock(target, to, size * step, reps[axis] as number)
    }
    fill(0, 0, 0)
    return out
  }
}

// target[start, start + block) is written; copy it `times − 1` more times right after it.
function repeatBlock(target: tf.backend_util.TypedArray, start: number, block: number, times: number): void {
  const end = start + block * times
  let filled = block
  while (start + filled < end) {
    const count = Math.min(filled, end - start - filled)
    target.copyWithin(start + filled, start, start + count)
    filled += count
  }
}

function strides(shape: readonly number[]): number[] {
  const result = new Array<number>(shape.length)
  let stride = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    result[i] = stride
    stride *= shape[i] as number
  }
  return result
}
