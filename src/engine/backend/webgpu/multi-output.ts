import * as tf from '@tensorflow/tfjs'
import { type GpuDevice, type GpuPipeline, type WebGpuBackendInternals, webGpuBackend } from './backend-internals'

/**
 * Programs of the studio's own that write more than one output in one dispatch. tfjs-backend-webgpu's program
 * class binds a single writable output, so an update that produces several tensors (Adam's m′, v′ and θ′; both
 * moving statistics of a BatchNorm; a BatchNorm's dx, dγ and dβ) would otherwise cost one program per output.
 * These programs are plain WGSL with their own bindings: the inputs first (read-only storage), then the outputs
 * (read-write storage), then one uniform struct, in that order; `main` runs one invocation per element of a flat
 * index space of `invocations`, found as `id.y * groups.x * WORKGROUP + id.x` (the dispatch spreads over y when
 * x would pass the device's limit). The runner records the dispatch into the backend's command stream the way
 * the backend's `recordAndSubmit` does (see `recordDispatch`), so the profile and the dispatch count see it.
 */

export interface MultiOutputProgram {
  /** The pipeline's label, its cache key and the name the profile's timer gets. */
  name: string
  /** The whole shader; its workgroup size must be MULTI_OUTPUT_WORKGROUP. */
  shader: string
}

/** Threads per workgroup of these programs (`@workgroup_size(${MULTI_OUTPUT_WORKGROUP})`). */
export const MULTI_OUTPUT_WORKGROUP = 256

/** WGSL for the flat invocation index of `main(@builtin(global_invocation_id) id, @builtin(num_workgroups) groups)`. */
export const FLAT_INVOCATION = `id.y * groups.x * ${MULTI_OUTPUT_WORKGROUP}u + id.x`

export interface Uniform {
  type: 'float32' | 'int32' | 'uint32'
  data: number[]
}

// Pipelines per device (a device lives as long as its backend; tests start several), by program name.
const pipelines = new WeakMap<GpuDevice, Map<string, GpuPipeline>>()

function pipelineFor(device: GpuDevice, program: MultiOutputProgram): GpuPipeline {
  let byName = pipelines.get(device)
  if (!byName) {
    byName = new Map()
    pipelines.set(device, byName)
  }
  let pipeline = byName.get(program.name)
  if (!pipeline) {
    const module = device.createShaderModule({ code: program.shader, label: program.name })
    pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: program.name })
    byName.set(program.name, pipeline)
  }
  return pipeline
}

/**
 * Runs `program` over `invocations` elements in one dispatch, with new float32 outputs of the given shapes; the
 * caller owns them. Every input and output must be its own GPU buffer (the same buffer bound twice, read and
 * written, is invalid in WebGPU): a caller that passes one tensor twice gets an error, not garbage.
 */
export function runMultiOutputProgram(
  backend: unknown,
  program: MultiOutputProgram,
  inputs: tf.TensorInfo[],
  outputShapes: number[][],
  uniforms: Uniform[],
  invocations: number
): tf.TensorInfo[] {
  const gpu = webGpuBackend(backend)
  const outputs = outputShapes.map((shape) => gpu.makeTensorInfo(shape, 'float32'))
  const tensors = [...inputs, ...outputs]
  for (const tensor of tensors) gpu.uploadToGPU(tensor.dataId)
  const resources = tensors.map((tensor) => gpu.tensorMap.get(tensor.dataId)?.resource)
  if (new Set(resources).size !== resources.length || resources.some((r) => r == null)) {
    for (const output of outputs) gpu.disposeData(output.dataId)
    throw new Error(`${program.name}: its ${inputs.length} inputs and ${outputs.length} outputs must all be different GPU buffers.`)
  }
  recordDispatch(gpu, program, invocations, [...resources.map((buffer) => ({ buffer })), gpu.makeUniforms(uniforms)], tensors)
  return outputs
}

/**
 * Records one dispatch as tfjs-backend-webgpu's `recordAndSubmit` records its programs: into the backend's open
 * compute pass, with the tensors marked as owned by the queue (so that disposing one before the queue is
 * submitted defers freeing its buffer), a timestamp query while tf.profile times kernels, and a submit every
 * WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches.
 */
function recordDispatch(gpu: WebGpuBackendInternals, program: MultiOutputProgram, invocations: number, bindings: unknown[], tensors: tf.TensorInfo[]): void {
  const pipeline = pipelineFor(gpu.device, program)
  const bindGroup = gpu.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: bindings.map((resource, binding) => ({ binding, resource }))
  })
  for (const tensor of tensors) gpu.commandQueueOwnedIds.add(tensor.dataId)
  const groups = Math.max(1, Math.ceil(invocations / MULTI_OUTPUT_WORKGROUP))
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
    gpu.activeTimers?.push({ name: program.name, query: gpu.getQueryTime() })
  } else if ((tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= gpu.dispatchCountInPass) {
    gpu.endComputePassEncoder()
    gpu.submitQueue()
  }
}
