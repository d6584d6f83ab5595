import { FLAT_INVOCATION, MULTI_OUTPUT_WORKGROUP, type MultiOutputProgram } from './multi-output'
import { elementwiseProgram, flatProgram, REDUCE_THREADS, type StudioProgram, WORKGROUP_SUM } from './run-program'

/**
 * The GPU programs of a training-mode batch normalisation over the last axis, with x seen as [rows, channels]
 * (rows = every position of every image). `stats` is [2, channels]: the batch mean, then the biased variance,
 * as tfjs's `moments` computes them; `sums` is [2, channels]: Σ dy, then Σ dy·x̂ (x̂ the normalised input).
 * The two reductions run one workgroup per channel; the others one thread per value (run-program.ts).
 */

function reduction(shaderKey: string, variableNames: string[], channels: number, body: string): StudioProgram {
  return flatProgram(
    {
      outputShape: [2, channels],
      shaderKey,
      variableNames,
      workgroupSize: [REDUCE_THREADS, 1, 1],
      uniforms: 'rows : i32, channels : i32, epsilon : f32,',
      getUserCode: () => `
        ${WORKGROUP_SUM}
        fn main(index : i32) {
          let channel = index / ${REDUCE_THREADS};
          let rows = uniforms.rows;
          let channels = uniforms.channels;
          ${body}
        }`
    },
    channels
  )
}

/** x [rows, channels] → stats: the mean first, then the mean squared deviation from it (two passes, for accuracy). */
export function channelStatsProgram(channels: number): StudioProgram {
  return reduction(
    'studio_bn_stats',
    ['x'],
    channels,
    `
      var sum = 0.0;
      for (var row = i32(localId.x); row < rows; row = row + ${REDUCE_THREADS}) {
        sum = sum + x[row * channels + channel];
      }
      let mean = workgroupSum(sum) / f32(rows);
      var squares = 0.0;
      for (var row = i32(localId.x); row < rows; row = row + ${REDUCE_THREADS}) {
        let deviation = x[row * channels + channel] - mean;
        squares = squares + deviation * deviation;
      }
      let variance = workgroupSum(squares) / f32(rows);
      if (localId.x == 0u) {
        setOutputAtIndex(channel, mean);
        setOutputAtIndex(channels + channel, variance);
      }`
  )
}

/** dy, x [rows, channels], stats → sums: Σ dy (β's gradient), then Σ dy·x̂ (γ's gradient). */
export function backwardSumsProgram(channels: number): StudioProgram {
  return reduction(
    'studio_bn_backward_sums',
    ['dy', 'x', 'stats'],
    channels,
    `
      let mean = stats[channel];
      let inverseStd = inverseSqrt(stats[channels + channel] + uniforms.epsilon);
      var sumDy = 0.0;
      var sumDyXhat = 0.0;
      for (var row = i32(localId.x); row < rows; row = row + ${REDUCE_THREADS}) {
        let at = row * channels + channel;
        sumDy = sumDy + dy[at];
        sumDyXhat = sumDyXhat + dy[at] * (x[at] - mean) * inverseStd;
      }
      let totalDy = workgroupSum(sumDy);
      let totalDyXhat = workgroupSum(sumDyXhat);
      if (localId.x == 0u) {
        setOutputAtIndex(channel, totalDy);
        setOutputAtIndex(channels + channel, totalDyXhat);
      }`
  )
}

/** x [rows, channels], stats, γ, β → (x − mean) · γ / √(variance + ε) + β, as tfjs's FusedBatchNorm computes it. */
export function normalizeProgram(rows: number, channels: number): StudioProgram {
  return elementwiseProgram(
    'studio_bn_normalize',
    ['x', 'stats', 'gamma', 'beta'],
    [rows, channels],
    'channels : i32, epsilon : f32,',
    `
      let channel = index % uniforms.channels;
      let inverse = gamma[channel] * inverseSqrt(stats[uniforms.channels + channel] + uniforms.epsilon);
      setOutputAtIndex(index, dot(vec3<f32>(x[index], -stats[channel], beta[channel]), vec3<f32>(inverse, inverse, 1.0)));`
  )
}

/**
 * dy, x [rows, channels], stats, γ, sums → x's gradient through the batch statistics,
 * γ/σ · (dy − Σdy/rows − x̂ · Σdy·x̂/rows), which is what autodiff of mean, variance and normalisation sums to;
 * and in the same dispatch γ's gradient (Σdy·x̂) and β's (Σdy) copied out of `sums`, which the first `channels`
 * invocations write. Uniforms: size (rows · channels), rows, channels, ε.
 */
export const BACKWARD_OUTPUTS_PROGRAM: MultiOutputProgram = {
  name: 'studio_bn_backward_outputs',
  shader: /* wgsl */ `
struct Params {
  size: u32,
  rows: u32,
  channels: u32,
  epsilon: f32,
};

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> sums: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dGamma: array<f32>;
@group(0) @binding(7) var<storage, read_write> dBeta: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

@compute @workgroup_size(${MULTI_OUTPUT_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = ${FLAT_INVOCATION};
  if (i >= params.size) {
    return;
  }
  let channels = params.channels;
  let channel = i % channels;
  let inverseStd = inverseSqrt(stats[channels + channel] + params.epsilon);
  let xhat = (x[i] - stats[channel]) * inverseStd;
  let count = f32(params.rows);
  let centred = dy[i] - sums[channel] / count - xhat * sums[channels + channel] / count;
  dx[i] = gamma[channel] * inverseStd * centred;
  if (i < channels) {
    dGamma[i] = sums[channels + i];
    dBeta[i] = sums[i];
  }
}
`
}

/**
 * moving mean, moving variance [channels], stats → each moving − (moving − batch) · decay, tfjs-layers'
 * moving-average update, for both statistics in one dispatch. Uniforms: size (channels), decay (1 − momentum).
 */
export const MOVING_AVERAGES_PROGRAM: MultiOutputProgram = {
  name: 'studio_bn_moving_averages',
  shader: /* wgsl */ `
struct Params {
  size: u32,
  decay: f32,
};

@group(0) @binding(0) var<storage, read> mean: array<f32>;
@group(0) @binding(1) var<storage, read> variance: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> newMean: array<f32>;
@group(0) @binding(4) var<storage, read_write> newVariance: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(${MULTI_OUTPUT_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = ${FLAT_INVOCATION};
  if (i >= params.size) {
    return;
  }
  newMean[i] = mean[i] - (mean[i] - stats[i]) * params.decay;
  newVariance[i] = variance[i] - (variance[i] - stats[params.size + i]) * params.decay;
}
`
}
