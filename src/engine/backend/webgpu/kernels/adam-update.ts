import * as tf from '@tensorflow/tfjs'
import { FLAT_INVOCATION, MULTI_OUTPUT_WORKGROUP, runMultiOutputProgram } from '../multi-output'

/**
 * `StudioAdamUpdate`: one Adam step of one variable as ONE GPU program. tfjs's AdamOptimizer spends about 13
 * elementwise programs per variable (the two moments, the bias corrections, sqrt, ε, the divide, the scale and
 * the add), a quarter of a DCGAN step's dispatches, and on a GPU a small model's step is bound by what each
 * dispatch costs (tfjs builds a bind group and a uniform buffer per program). This program reads g, m, v and θ
 * and writes m′, v′ and θ′ to three new buffers, computing exactly what tfjs's ops compute, in their order.
 *
 * Out of place on purpose: the caller assigns the outputs to the variables as tfjs's Adam does, so a tensor that
 * shares a variable's data (a `clone()` shares its data id) keeps its values, and no value the backend cached on
 * the CPU after a read can go stale. It writes three outputs, so it runs as one of the studio's multi-output
 * programs (../multi-output.ts). Registered for 'webgpu' only; `train/adam.ts` calls it.
 */
export const ADAM_UPDATE = 'StudioAdamUpdate'

export interface AdamUpdateAttrs {
  beta1: number
  beta2: number
  /** 1 − β₁ᵗ and 1 − β₂ᵗ at this step, as tfjs's Adam has them (float32: see train/adam.ts). */
  oneMinusAccBeta1: number
  oneMinusAccBeta2: number
  learningRate: number
  epsilon: number
}

// Each line is one of tfjs's ops, in its order, so that the float32 roundings are the same ones.
const SHADER = /* wgsl */ `
struct Params {
  size: u32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  oneMinusAccBeta1: f32,
  oneMinusAccBeta2: f32,
  negativeLearningRate: f32,
  epsilon: f32,
};

@group(0) @binding(0) var<storage, read> gradient: array<f32>;
@group(0) @binding(1) var<storage, read> m: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> value: array<f32>;
@group(0) @binding(4) var<storage, read_write> newM: array<f32>;
@group(0) @binding(5) var<storage, read_write> newV: array<f32>;
@group(0) @binding(6) var<storage, read_write> newValue: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

@compute @workgroup_size(${MULTI_OUTPUT_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = ${FLAT_INVOCATION};
  if (i >= params.size) {
    return;
  }
  let g = gradient[i];
  let m1 = m[i] * params.beta1 + g * params.oneMinusBeta1;
  let v1 = v[i] * params.beta2 + (g * g) * params.oneMinusBeta2;
  let mHat = m1 / params.oneMinusAccBeta1;
  let vHat = v1 / params.oneMinusAccBeta2;
  newM[i] = m1;
  newV[i] = v1;
  newValue[i] = (mHat / (sqrt(vHat) + params.epsilon)) * params.negativeLearningRate + value[i];
}
`

const PROGRAM = { name: ADAM_UPDATE, shader: SHADER }

/**
 * Whether the fused program can update this variable: float32 throughout and one size for all four (tfjs's ops
 * do the rest, and report what does not match as tfjs would).
 */
export function fitsAdamUpdate(value: tf.TensorInfo, gradient: tf.TensorInfo, m: tf.TensorInfo, v: tf.TensorInfo): boolean {
  const size = tf.util.sizeFromShape(value.shape)
  return size > 0 && [value, gradient, m, v].every((t) => t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === size)
}

const adamUpdate: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { gradient, m, v, value } = inputs as unknown as Record<'gradient' | 'm' | 'v' | 'value', tf.TensorInfo>
  const a = attrs as unknown as AdamUpdateAttrs
  const size = tf.util.sizeFromShape(value.shape)
  const f32 = (x: number): number => Math.fround(x)
  const uniforms = [
    { type: 'uint32' as const, data: [size] },
    // tfjs's Adam multiplies by the scalars β₁ and 1 − β₁ (computed in float64, then stored as float32), etc.
    ...[a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.oneMinusAccBeta1, a.oneMinusAccBeta2, -a.learningRate, a.epsilon].map((x) => ({
      type: 'float32' as const,
      data: [f32(x)]
    }))
  ]
  return runMultiOutputProgram(backend, PROGRAM, [gradient, m, v, value], [m.shape, v.shape, value.shape], uniforms, size)
}

export const adamUpdateKernel: tf.KernelConfig = { kernelName: ADAM_UPDATE, backendName: 'webgpu', kernelFunc: adamUpdate }
