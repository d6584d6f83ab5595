import * as tf from '@tensorflow/tfjs'
import { countGpuDispatches } from './dispatch-count'

/**
 * Records the kernels a piece of real engine work runs — every call with its inputs and attributes, once per
 * distinct signature — so that each can be replayed on other backends and compared. This is how the webgpu tests
 * check "every kernel the DCGAN uses, on the real layer shapes" without a hand-written list that would go stale
 * when a model or a path changes. The work runs on wasm (the cpu backend's filter gradient takes minutes for a
 * training step at these sizes); the reference is then each distinct call replayed on cpu.
 */

export interface RecordedTensor {
  shape: number[]
  dtype: tf.DataType
  values: tf.TypedArray
}

export interface KernelCall {
  kernelName: string
  /** Named inputs, in the kernel's order; `list` when the kernel takes an array (AddN, Concat, Pack). */
  inputs: Array<{ name: string } & RecordedTensor>
  list: boolean
  attrs: Record<string, unknown>
  /** Kernel, attributes and input shapes: calls that share it are recorded once. */
  signature: string
  /** How many calls had this signature. */
  calls: number
}

// Kernels that draw random numbers: a replay could not match. None of the studio's paths uses them on the
// engine's side (noise is drawn in JavaScript from seeds); they are listed so a new use shows up as "not replayed".
export const RANDOM_KERNELS = new Set(['RandomUniform', 'RandomNormal', 'RandomStandardNormal', 'RandomGamma', 'Multinomial'])

/**
 * Runs `work` on the active backend and returns the kernel calls it made, by signature: the calls tfjs-core
 * dispatches, not those a kernel makes of other kernels inside (the studio's wasm kernels are built from wasm
 * kernels; webgpu runs its own).
 */
export async function recordKernelCalls(work: () => Promise<void>): Promise<KernelCall[]> {
  const backendName = tf.getBackend()
  const calls = new Map<string, KernelCall>()
  const originals = tf.getKernelsForBackend(backendName)
  let depth = 0
  for (const config of originals) {
    const original = config.kernelFunc
    tf.unregisterKernel(config.kernelName, backendName)
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        // Inputs are read before the kernel runs: nothing it does can change what was recorded.
        if (depth === 0) record(calls, config.kernelName, args)
        depth += 1
        try {
          return original(args)
        } finally {
          depth -= 1
        }
      }
    })
  }
  try {
    await work()
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName)
      tf.registerKernel(config)
    }
  }
  return [...calls.values()]
}

function record(calls: Map<string, KernelCall>, kernelName: string, args: Parameters<tf.KernelFunc>[0]): void {
  const list = Array.isArray(args.inputs)
  const named = Object.entries(args.inputs as Record<string, tf.TensorInfo | undefined>).filter((entry): entry is [string, tf.TensorInfo] => entry[1] != null)
  const attrs = structuredClone((args.attrs ?? {}) as Record<string, unknown>)
  const signature = JSON.stringify([kernelName, attrs, named.map(([name, t]) => [name, t.shape, t.dtype])])
  const known = calls.get(signature)
  if (known) {
    known.calls += 1
    return
  }
  // The backend the kernel runs on (a plain object to the types): only its synchronous read is used here.
  const backend = args.backend as unknown as { readSync(dataId: tf.DataId): tf.BackendValues }
  const read = (info: tf.TensorInfo): RecordedTensor => ({
    shape: [...info.shape],
    dtype: info.dtype,
    values: (backend.readSync(info.dataId) as tf.TypedArray).slice()
  })
  calls.set(signature, {
    kernelName,
    inputs: named.map(([name, info]) => ({ name, ...read(info) })),
    list,
    attrs,
    signature,
    calls: 1
  })
}

// Kernels that compute each output element from the same element of their inputs (or a broadcast one). Their
// webgpu programs depend on the dtypes, the broadcasting and whether the size is a multiple of 4 (vectorised
// reads), not on the sizes themselves.
const ELEMENTWISE = new Set([
  'Abs',
  'Add',
  'Cast',
  'ClipByValue',
  'Elu',
  'Equal',
  'Exp',
  'Greater',
  'GreaterEqual',
  'Identity',
  'LeakyRelu',
  'Less',
  'LessEqual',
  'Log',
  'Log1p',
  'LogicalAnd',
  'Maximum',
  'Minimum',
  'Multiply',
  'Neg',
  'NotEqual',
  'OnesLike',
  'Pow',
  'RealDiv',
  'Reciprocal',
  'Relu',
  'Round',
  'Rsqrt',
  'Select',
  'Sigmoid',
  'Sign',
  'Softplus',
  'Sqrt',
  'Square',
  'SquaredDifference',
  'Step',
  'Sub',
  'Tanh',
  'ZerosLike'
])

/**
 * The calls worth replaying: every call of a kernel whose program depends on its shapes (convolutions, matrix
 * products, BatchNorm, reductions, reshapes and copies), and, of an elementwise kernel, the largest call of each
 * pattern (dtypes, broadcasting, size a multiple of 4). Adam's update alone makes a dozen elementwise calls per
 * weight, which on SwiftShader would take longer than all the convolutions.
 */
export function callsToReplay(calls: readonly KernelCall[]): KernelCall[] {
  const largest = new Map<string, KernelCall>()
  const kept: KernelCall[] = []
  for (const call of calls) {
    if (!ELEMENTWISE.has(call.kernelName)) {
      kept.push(call)
      continue
    }
    const size = Math.max(...call.inputs.map((input) => input.values.length))
    const pattern = call.inputs.map((input) => `${input.dtype}:${input.shape.map((d) => (d === 1 ? '1' : 'n')).join('')}`)
    const key = JSON.stringify([call.kernelName, call.attrs, pattern, size % 4 === 0])
    const known = largest.get(key)
    if (!known || size > Math.max(...known.inputs.map((input) => input.values.length))) largest.set(key, call)
  }
  return [...kept, ...largest.values()]
}

/** Runs a recorded call on the active backend and reads its outputs back (asynchronously), with their dtypes. */
export async function replayKernelCall(call: KernelCall): Promise<Array<{ values: tf.TypedArray; dtype: tf.DataType }>> {
  const inputs = call.inputs.map((input) => tf.tensor(input.values, input.shape, input.dtype))
  try {
    const map = call.list ? inputs : Object.fromEntries(call.inputs.map((input, i) => [input.name, inputs[i]]))
    const result = tf.engine().runKernel<tf.Tensor | tf.Tensor[]>(call.kernelName, map as unknown as tf.NamedTensorMap, call.attrs as tf.NamedAttrMap)
    const outputs = Array.isArray(result) ? result : [result]
    try {
      return await Promise.all(outputs.map(async (output) => ({ values: await output.data(), dtype: output.dtype })))
    } finally {
      tf.dispose(outputs)
    }
  } finally {
    tf.dispose(inputs)
  }
}

/**
 * The error of `actual` against `expected`: exact for integers and booleans; for floats, as a fraction of the
 * output's largest magnitude (which holds gradients far below 1 to the same relative standard) or of `floor`
 * when that is larger (see REDUCTIONS).
 */
export function outputError(actual: tf.TypedArray, expected: tf.TypedArray, dtype: tf.DataType, floor = 0): number {
  if (actual.length !== expected.length) return Infinity
  let worst = 0
  let scale = floor
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i] as number
    const a = actual[i] as number
    if (Number.isNaN(e) !== Number.isNaN(a)) return Infinity
    if (Number.isNaN(e)) continue
    worst = Math.max(worst, Math.abs(a - e))
    scale = Math.max(scale, Math.abs(e))
  }
  if (dtype !== 'float32') return worst
  return scale > 0 ? worst / scale : worst
}

/**
 * Sums whose exact result can be 0: batch norm's backward pass at batch 1 sums, over each map, values whose sum
 * is 0 by construction, and every backend returns rounding noise there (~1e-5 of the largest input for 4096
 * terms, of either sign). Their error is measured against the largest input instead; a wrong sum (a term
 * missed or counted twice) is off by about an input's size.
 */
export const REDUCTIONS = new Set(['Sum', 'Mean'])

/** The largest magnitude among a call's float inputs. */
export function inputScale(call: KernelCall): number {
  let scale = 0
  for (const input of call.inputs) {
    if (input.dtype !== 'float32') continue
    for (const v of input.values) if (Math.abs(v) > scale) scale = Math.abs(v)
  }
  return scale
}

/** The GPU programs synchronous `work` dispatches (throws where WebGPU is not loaded: nothing to count). */
export async function countPrograms(work: () => void): Promise<number> {
  const { dispatches } = await countGpuDispatches(() => {
    work()
    return Promise.resolve()
  })
  if (dispatches === null) throw new Error('WebGPU is not loaded: nothing to count.')
  return dispatches
}
