import type * as tf from '@tensorflow/tfjs'
import { webGpuBackend } from './backend-internals'

/**
 * The parts of tfjs-backend-webgpu's `WebGPUProgram` the studio's own programs fill in. tfjs writes the shader's
 * prelude from them: one storage binding per `variableNames` entry (read as `x[i]` and through getters such as
 * `getXByOutputIndex`), `result` with `setOutputAtIndex`, and `uniforms.<name>` for the `uniforms` declared here
 * (plus `uniforms.size`, the output's element count, when `size` is set). tfjs compiles a program once per
 * `shaderKey` and the ranks and dtypes of its tensors.
 */
export interface StudioProgram {
  outputShape: number[]
  shaderKey: string
  variableNames: string[]
  workgroupSize: [number, number, number]
  dispatchLayout: { x: number[] }
  dispatch: [number, number, number]
  uniforms?: string
  size?: boolean
  getUserCode(): string
}

/** A value for one of the program's own uniforms, in the order `uniforms` declares them. */
export interface ProgramUniform {
  type: 'float32' | 'int32'
  data: number[]
}

/** A program over its output as one flat array, dispatched as `workgroups` workgroups along x. */
export function flatProgram(fields: Omit<StudioProgram, 'dispatchLayout' | 'dispatch'>, workgroups: number): StudioProgram {
  return { ...fields, dispatchLayout: { x: fields.outputShape.map((_, i) => i) }, dispatch: [workgroups, 1, 1] }
}

/** Runs one of the studio's programs inside a kernel of the webgpu backend; the caller owns the output. */
export function runProgram(backend: unknown, program: StudioProgram, inputs: tf.TensorInfo[], uniforms: ProgramUniform[] = []): tf.TensorInfo {
  return webGpuBackend(backend).runWebGPUProgram(program, inputs, 'float32', uniforms)
}

/** Threads of an elementwise program's workgroup. */
const ELEMENTWISE_THREADS = 64

/**
 * A program of one thread per output value: `body` runs with `index`, the value's flat position, for every
 * index below `uniforms.size`, and writes it with `setOutputAtIndex`. Inputs of the output's shape are read as
 * `name[index]`; `uniforms` declares the program's own (as `'alpha : f32,'`).
 */
export function elementwiseProgram(shaderKey: string, variableNames: string[], outputShape: number[], uniforms: string, body: string): StudioProgram {
  const size = outputShape.reduce((a, b) => a * b, 1)
  return flatProgram(
    {
      outputShape,
      shaderKey,
      variableNames,
      workgroupSize: [ELEMENTWISE_THREADS, 1, 1],
      size: true,
      uniforms,
      getUserCode: () => `
        fn main(index : i32) {
          if (index < uniforms.size) {
            ${body}
          }
        }`
    },
    Math.ceil(size / ELEMENTWISE_THREADS)
  )
}

/** Threads of a reduction's workgroup (a power of two: the tree reduction halves it). */
export const REDUCE_THREADS = 256

// WGSL: a workgroup's sum of `value` over its REDUCE_THREADS threads, returned to all of them (`workgroupSum`, which
// reads tfjs's `localId`). Called in uniform control flow only.
export const WORKGROUP_SUM = `
  var<workgroup> partial : array<f32, ${REDUCE_THREADS}>;
  fn workgroupSum(value : f32) -> f32 {
    partial[localId.x] = value;
    workgroupBarrier();
    for (var stride = ${REDUCE_THREADS / 2}u; stride > 0u; stride = stride / 2u) {
      if (localId.x < stride) {
        partial[localId.x] = partial[localId.x] + partial[localId.x + stride];
      }
      workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier();
    return total;
  }`
