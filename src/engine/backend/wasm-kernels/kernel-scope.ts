import * as tf from '@tensorflow/tfjs'

// Runs other kernels registered for one backend from inside a kernel we compose, and owns their
// outputs. Nested kernel calls bypass the engine (no tape, no tensor tracking), so every
// intermediate must be released by hand: each TensorInfo this scope hands out holds exactly one
// backend reference, and `dispose` drops all of them except the ones passed to `keep`.
export class KernelScope {
  private readonly owned: tf.TensorInfo[] = []

  constructor(
    private readonly backend: tf.KernelBackend,
    private readonly backendName: string
  ) {}

  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const config = tf.getKernel(kernelName, this.backendName) as tf.KernelConfig | undefined
    if (config == null) {
      throw new Error(
        `Kernel '${kernelName}' is not registered for backend '${this.backendName}', but a composed ` +
          `gradient kernel needs it. Import '@tensorflow/tfjs-backend-wasm' before training on wasm.`
      )
    }
    const result = config.kernelFunc({ inputs, backend: this.backend, attrs })
    if (Array.isArray(result)) {
      // Only single-output kernels are composed here; owning the extra outputs keeps them from leaking.
      this.owned.push(...result)
      throw new Error(`Kernel '${kernelName}' returned ${result.length} outputs where one was expected.`)
    }
    this.owned.push(result)
    return result
  }

  // Takes over a buffer made outside `run` (one filled by hand), so that it is released with the rest.
  adopt(x: tf.TensorInfo): tf.TensorInfo {
    this.owned.push(x)
    return x
  }

  // A new shape over the same buffer; the extra reference lets the view outlive its source.
  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    if (tf.util.sizeFromShape(shape) !== tf.util.sizeFromShape(x.shape)) {
      throw new Error(`Cannot view a tensor of shape [${x.shape.join(',')}] as [${shape.join(',')}].`)
    }
    this.backend.incRef(x.dataId)
    const view: tf.TensorInfo = { dataId: x.dataId, shape, dtype: x.dtype }
    this.owned.push(view)
    return view
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    const shape = perm.map((axis) => dimension(x.shape, axis))
    // Moving only size-1 axes keeps the element order, so a view is enough and saves a copy.
    const movedAxes = perm.filter((axis) => dimension(x.shape, axis) !== 1)
    if (movedAxes.every((axis, i) => i === 0 || axis > (movedAxes[i - 1] ?? -1))) {
      return this.reshape(x, shape)
    }
    return this.run('Transpose', { x }, { perm })
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x
    return this.run('Slice', { x }, { begin, size })
  }

  // Hands the tensor's reference to the caller (the engine, when it is a kernel's result).
  keep(x: tf.TensorInfo): tf.TensorInfo {
    const index = this.owned.lastIndexOf(x)
    if (index < 0) {
      // Returning something the scope never owned (an input) needs a reference of its own.
      this.backend.incRef(x.dataId)
      return x
    }
    this.owned.splice(index, 1)
    return x
  }

  dispose(): void {
    for (const info of this.owned.splice(0)) this.backend.disposeData(info.dataId)
  }
}

export function dimension(shape: readonly number[], axis: number): number {
  const size = shape[axis]
  if (size === undefined) throw new Error(`Axis ${axis} is out of range for shape [${shape.join(',')}].`)
  return size
}
