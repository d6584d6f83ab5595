import * as tf from '@tensorflow/tfjs'

/**
 * `StudioAdamUpdate`: one Adam step of one variable as ONE GPU program. tfjs's AdamOptimizer spends about 13
 * elementwise programs per variable (the two moments, the bias corrections, sqrt, ε, the divide, the scale and
 * the add), a quarter of a DCGAN step's dispatches, and on a GPU a small model's step is bound by what each
 * dispatch costs (tfjs builds a bind group and a uniform buffer per program). This program reads g, m, v and θ
 * and writes m′, v′ and θ′ to three new buffers, computing exactly what tfjs's ops compute, in their order.
 *
 * Out of place on purpose: the caller assigns the outputs to the variables as tfjs's Adam does, so a tensor that
 * shares a variable's data (a `clone()` shares its data id) keeps its values, and no value the backend cached on
 * the CPU after a read can go stale. tfjs's program class binds one writable output, so this records its own
 * dispatch into the backend's command stream the way the backend's `recordAndSubmit` does (see
 * `recordDispatch`). Registered for 'webgpu' only; `train/adam.ts` calls it.
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

const WORKGROUP_SIZE = 256

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

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = id.y * groups.x * ${WORKGROUP_SIZE}u + id.x;
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

/** The parts of tfjs-backend-webgpu 4.22's WebGPUBackend this kernel uses (none of them is in its typings). */
interface WebGpuBackendInternals {
  device: GpuDevice
  tensorMap: { get(dataId: tf.DataId): { resource: unknown } | undefined }
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo
  uploadToGPU(dataId: tf.DataId): void
  makeUniforms(uniforms: Array<{ type: 'float32' | 'int32' | 'uint32'; data: number[] }>): unknown
  disposeData(dataId: tf.DataId): boolean
  ensureCommandEncoderReady(): void
  endComputePassEncoder(): void
  submitQueue(): void
  getQueryTime(): Promise<number>
  commandEncoder: { beginComputePass(descriptor: object): GpuComputePass }
  computePassEncoder: GpuComputePass | null
  commandQueueOwnedIds: WeakSet<tf.DataId>
  dispatchCountInPass: number
  activeTimers: Array<{ name: string; query: Promise<number> }> | null
  supportTimestampQuery: boolean
  querySet: unknown
  querySetCount: number
}

interface GpuDevice {
  limits: { maxComputeWorkgroupsPerDimension: number }
  createShaderModule(descriptor: { code: string; label: string }): unknown
  createComputePipeline(descriptor: object): GpuPipeline
  createQuerySet(descriptor: { type: 'timestamp'; count: number }): unknown
  createBindGroup(descriptor: { layout: unknown; entries: Array<{ binding: number; resource: unknown }> }): unknown
}

interface GpuPipeline {
  getBindGroupLayout(index: number): unknown
}

interface GpuComputePass {
  setPipeline(pipeline: GpuPipeline): void
  setBindGroup(index: number, bindGroup: unknown): void
  dispatchWorkgroups(x: number, y?: number, z?: number): void
}

// One pipeline per device (a device lives as long as its backend; tests start several).
const pipelines = new WeakMap<GpuDevice, GpuPipeline>()

function pipelineFor(device: GpuDevice): GpuPipeline {
  let pipeline = pipelines.get(device)
  if (!pipeline) {
    const module = device.createShaderModule({ code: SHADER, label: ADAM_UPDATE })
    pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: ADAM_UPDATE })
    pipelines.set(device, pipeline)
  }
  return pipeline
}

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
  const gpu = backend as unknown as WebGpuBackendInternals
  const size = tf.util.sizeFromShape(value.shape)
  const outputs = [gpu.makeTensorInfo(m.shape, 'float32'), gpu.makeTensorInfo(v.shape, 'float32'), gpu.makeTensorInfo(value.shape, 'float32')]
  const buffers = [gradient, m, v, value, ...outputs]
  for (const tensor of buffers) gpu.uploadToGPU(tensor.dataId)
  // The same buffer as input and output in one dispatch is invalid in WebGPU; tfjs never aliases these, but a
  // caller's mistake must not become garbage weights.
  const resources = buffers.map((tensor) => gpu.tensorMap.get(tensor.dataId)?.resource)
  if (new Set(resources).size !== resources.length || resources.some((r) => r == null)) {
    for (const output of outputs) gpu.disposeData(output.dataId)
    throw new Error(`${ADAM_UPDATE}: the gradient, moments and value must be four different GPU buffers.`)
  }
  const f32 = (x: number): number => Math.fround(x)
  const uniforms = gpu.makeUniforms([
    { type: 'uint32', data: [size] },
    // tfjs's Adam multiplies by the scalars β₁ and 1 − β₁ (computed in float64, then stored as float32), etc.
    { type: 'float32', data: [f32(a.beta1)] },
    { type: 'float32', data: [f32(1 - a.beta1)] },
    { type: 'float32', data: [f32(a.beta2)] },
    { type: 'float32', data: [f32(1 - a.beta2)] },
    { type: 'float32', data: [f32(a.oneMinusAccBeta1)] },
    { type: 'float32', data: [f32(a.oneMinusAccBeta2)] },
    { type: 'float32', data: [f32(-a.learningRate)] },
    { type: 'float32', data: [f32(a.epsilon)] }
  ])
  recordDispatch(gpu, size, [...resources.map((buffer) => ({ buffer })), uniforms], buffers)
  return outputs
}

/**
 * Records one dispatch of the Adam pipeline as tfjs-backend-webgpu's `recordAndSubmit` records its programs: into
 * the backend's open compute pass, with the tensors marked as owned by the queue (so that disposing one before
 * the queue is submitted defers freeing its buffer), a timestamp query while tf.profile times kernels, and a
 * submit every WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches.
 */
function recordDispatch(gpu: WebGpuBackendInternals, size: number, bindings: unknown[], tensors: tf.TensorInfo[]): void {
  const pipeline = pipelineFor(gpu.device)
  const bindGroup = gpu.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: bindings.map((resource, binding) => ({ binding, resource }))
  })
  for (const tensor of tensors) gpu.commandQueueOwnedIds.add(tensor.dataId)
  const groups = Math.ceil(size / WORKGROUP_SIZE)
  const maxPerDimension = gpu.device.limits.maxComputeWorkgroupsPerDimension
  const x = Math.min(groups, maxPerDimension)
  const y = Math.ceil(groups / x)
  const timed = gpu.activeTimers != null
  gpu.ensureCommandEncoderReady()
  if (timed && gpu.supportTimestampQuery) {
    gpu.endComputePassEncoder()
    gpu.querySet ??= gpu.device.createQuerySet({ type: 'timestamp', count: gpu.querySetCount })
    gpu.computePassEncoder = gpu.commandEncoder.beginComputePass({
      timestampWrites: { querySet: gpu.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 }
    })
  } else if (!gpu.computePassEncoder) {
    gpu.computePassEncoder = gpu.commandEncoder.beginComputePass({})
  }
  const pass = gpu.computePassEncoder
  pass.setPipeline(pipeline)
  pass.setBindGroup(0, bindGroup)
  pass.dispatchWorkgroups(x, y, 1)
  gpu.dispatchCountInPass++
  if (timed) {
    gpu.endComputePassEncoder()
    gpu.activeTimers?.push({ name: ADAM_UPDATE, query: gpu.getQueryTime() })
  } else if ((tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= gpu.dispatchCountInPass) {
    gpu.endComputePassEncoder()
    gpu.submitQueue()
  }
}

export const adamUpdateKernel: tf.KernelConfig = { kernelName: ADAM_UPDATE, backendName: 'webgpu', kernelFunc: adamUpdate }
