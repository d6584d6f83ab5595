import { FLAT_INVOCATION, MULTI_OUTPUT_WORKGROUP, type MultiOutputProgram } from './multi-output'
import { elementwiseProgram, flatProgram, REDUCE_THREADS, type StudioProgram, WORKGROUP_SUM } from './run-program'

/**
 * The GPU programs of a training-mode batch normalisation over the last axis, with x seen as [rows, channels]
 * (rows = every position of every image). `stats` is [2, channels]: the batch mean, then the biased variance,
 * as tfjs's `moments` computes them; `sums` is [4, channels]: Σ dy, then Σ dy·x̂ (x̂ the normalised input), then
 * the two rows of `stats` again (so that the last program has a binding to spare). The two reductions run one
 * workgroup per channel; the others one thread per value (run-program.ts).
 *
 * The output may be passed through the activation that follows the layer, ReLU or LeakyReLU, in the same
 * program: select(α·y, y, y > 0), with α = 0 for ReLU, LeakyReLU's slope, or 1 for none (which is y exactly).
 * The backward programs then take the gradient through it first, telling the sides apart by the output, `activated`
 * (> 0 exactly where y > 0, for α ≥ 0): dy′ = select(α·dy, dy, activated > 0), as tfjs's gradients of the two.
 * (An input may not be called `out`: tfjs names the output's shape uniform `outShape`.)
 */

function reduction(shaderKey: string, variableNames: string[], outputRows: number, channels: number, body: string): StudioProgram {
  return flatProgram(
    {
      outputShape: [outputRows, channels],
      shaderKey,
      variableNames,
      workgroupSize: [REDUCE_THREADS, 1, 1],
      uniforms: 'rows : i32, channels : i32, epsilon : f32, alpha : f32,',
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
    2,
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

/**
 * dy (the gradient of the output, after the activation), x [rows, channels], stats, activated (the output) → sums:
 * Σ dy′ (β's gradient), Σ dy′·x̂ (γ's gradient), the mean and the variance; dy′ is dy through the activation.
 */
export function backwardSumsProgram(channels: number): StudioProgram {
  return reduction(
    'studio_bn_backward_sums',
    ['dy', 'x', 'stats', 'activated'],
    4,
    channels,
    `
      let mean = stats[channel];
      let variance = stats[channels + channel];
      let inverseStd = inverseSqrt(variance + uniforms.epsilon);
      var sumDy = 0.0;
      var sumDyXhat = 0.0;
      for (var row = i32(localId.x); row < rows; row = row + ${REDUCE_THREADS}) {
        let at = row * channels + channel;
        let g = select(uniforms.alpha * dy[at], dy[at], activated[at] > 0.0);
        sumDy = sumDy + g;
        sumDyXhat = sumDyXhat + g * (x[at] - mean) * inverseStd;
      }
      let totalDy = workgroupSum(sumDy);
      let totalDyXhat = workgroupSum(sumDyXhat);
      if (localId.x == 0u) {
        setOutputAtIndex(channel, totalDy);
        setOutputAtIndex(channels + channel, totalDyXhat);
        setOutputAtIndex(2 * channels + channel, mean);
        setOutputAtIndex(3 * channels + channel, variance);
      }`
  )
}

/**
 * x [rows, channels], stats, γ, β → y = (x − mean) · γ / √(variance + ε) + β, as tfjs's FusedBatchNorm computes
 * it, then the activation: select(α·y, y, y > 0).
 */
export function normalizeProgram(rows: number, channels: number): StudioProgram {
  return elementwiseProgram(
    'studio_bn_normalize',
    ['x', 'stats', 'gamma', 'beta'],
    [rows, channels],
    'channels : i32, epsilon : f32, alpha : f32,',
    `
      let channel = index % uniforms.channels;
      let inverse = gamma[channel] * inverseSqrt(stats[uniforms.channels + channel] + uniforms.epsilon);
      let y = dot(vec3<f32>(x[index], -stats[channel], beta[channel]), vec3<f32>(inverse, inverse, 1.0));
      setOutputAtIndex(index, select(uniforms.alpha * y, y, y > 0.0));`
  )
}

/**
 * Inference: x [rows, channels], the moving mean and variance, γ, β → y as tfjs's FusedBatchNorm program computes
 * it from them (the same expression), then the activation: select(α·y, y, y > 0). One program where tfjs's
 * BatchNorm and its activation layer take two.
 */
export function inferenceProgram(rows: number, channels: number): StudioProgram {
  return elementwiseProgram(
    'studio_bn_inference',
    ['x', 'mean', 'variance', 'gamma', 'beta'],
    [rows, channels],
    'channels : i32, epsilon : f32, alpha : f32,',
    `
      let channel = index % uniforms.channels;
      let inverse = gamma[channel] * inverseSqrt(variance[channel] + uniforms.epsilon);
      let y = dot(vec3<f32>(x[index], -mean[channel], beta[channel]), vec3<f32>(inverse, inverse, 1.0));
      setOutputAtIndex(index, select(uniforms.alpha * y, y, y > 0.0));`
  )
}

/**
 * dy, x [rows, channels], activated, γ, sums → x's gradient through the activation and the batch statistics,
 * γ/σ · (dy′ − Σdy′/rows − x̂ · Σdy′·x̂/rows), which is what autodiff of mean, variance and normalisation sums to;
 * and in the same dispatch γ's gradient (Σdy′·x̂) and β's (Σdy′) copied out of `sums`, which the first `channels`
 * invocations write. Eight storage buffers, the most a device allows by default. Uniforms: size (rows ·
 * channels), rows, channels, ε, α.
 */
export const BACKWARD_OUTPUTS_PROGRAM: MultiOutputProgram = {
  name: 'studio_bn_backward_outputs',
  shader: /* wgsl */ `
struct Params {
  size: u32,
  rows: u32,
  channels: u32,
  epsilon: f32,
  alpha: f32,
};

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> activated: array<f32>;
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
  let inverseStd = inverseSqrt(sums[3u * channels + channel] + params.epsilon);
  let xhat = (x[i] - sums[2u * channels + channel]) * inverseStd;
  let count = f32(params.rows);
  let g = select(params.alpha * dy[i], dy[i], activated[i] > 0.0);
  let centred = g - sums[channel] / count - xhat * sums[channels + channel] / count;
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
