import type * as tf from '@tensorflow/tfjs'
import type { ProgramUniform, StudioProgram } from './run-program'

/**
 * The members of tfjs-backend-webgpu 4.22's `WebGPUBackend` that the studio's kernels use, none of which is in
 * its typings: run-program.ts runs programs through `runWebGPUProgram`, multi-output.ts records its own
 * dispatches into the backend's command stream, kernels/add-n.ts and kernels/conv2d-backprop-filter.ts read the
 * device's limits. One description, so that a tfjs-backend-webgpu whose internals moved is found when the rung
 * starts (`missingInternals`) instead of as wrong numbers or a crash in the middle of a training step.
 */
export interface WebGpuBackendInternals {
  device: GpuDevice
  tensorMap: { get(dataId: tf.DataId): { resource: unknown } | undefined }
  runWebGPUProgram(program: StudioProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms?: ProgramUniform[]): tf.TensorInfo
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo
  uploadToGPU(dataId: tf.DataId): void
  makeUniforms(uniforms: Array<{ type: string; data: number[] }>): unknown
  disposeData(dataId: tf.DataId): boolean
  ensureCommandEncoderReady(): void
  endComputePassEncoder(): void
  submitQueue(): void
  getQueryTime(): Promise<number>
  commandEncoder: { beginComputePass(descriptor: object): GpuComputePass }
  computePassEncoder: GpuComputePass | null
  commandQueueOwnedIds: WeakSet<tf.DataId>
  dispatchCountInPass: number
  /** Set only while tf.profile times kernels (undefined before the first profile, null after it). */
  activeTimers?: Array<{ name: string; query: Promise<number> }> | null
  supportTimestampQuery: boolean
  querySet: unknown
  querySetCount: number
}

export interface GpuDevice {
  limits: {
    maxComputeWorkgroupsPerDimension: number
    maxStorageBuffersPerShaderStage: number
    maxStorageBufferBindingSize: number
    maxBufferSize: number
  }
  createShaderModule(descriptor: { code: string; label: string }): unknown
  createComputePipeline(descriptor: object): GpuPipeline
  createQuerySet(descriptor: { type: 'timestamp'; count: number }): unknown
  createBindGroup(descriptor: { layout: unknown; entries: Array<{ binding: number; resource: unknown }> }): unknown
}

export interface GpuPipeline {
  getBindGroupLayout(index: number): unknown
}

export interface GpuComputePass {
  setPipeline(pipeline: GpuPipeline): void
  setBindGroup(index: number, bindGroup: unknown): void
  dispatchWorkgroups(x: number, y?: number, z?: number): void
}

/** The tfjs-backend-webgpu these internals are those of (package.json and its lock pin it). */
export const INTERNALS_VERSION = '4.22.0'

/** The webgpu backend a kernel was given, as the studio's kernels use it. */
export function webGpuBackend(backend: unknown): WebGpuBackendInternals {
  return backend as WebGpuBackendInternals
}

// What a started backend must have, by how it is checked. The encoders are null until the first dispatch and
// `activeTimers` is absent until the first profile, so those are checked only for being declared.
const METHODS = [
  'runWebGPUProgram',
  'makeTensorInfo',
  'uploadToGPU',
  'makeUniforms',
  'disposeData',
  'ensureCommandEncoderReady',
  'endComputePassEncoder',
  'submitQueue',
  'getQueryTime'
] as const
const NUMBERS = ['dispatchCountInPass', 'querySetCount'] as const
const DECLARED = ['commandEncoder', 'computePassEncoder', 'querySet'] as const
const DEVICE_METHODS = ['createShaderModule', 'createComputePipeline', 'createQuerySet', 'createBindGroup'] as const
const DEVICE_LIMITS = ['maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage', 'maxStorageBufferBindingSize', 'maxBufferSize'] as const

/**
 * The members of `WebGpuBackendInternals` that `backend` (a started webgpu backend) lacks or has in another
 * form, by name (`device.limits.maxBufferSize`, `tensorMap.get`); empty when the studio's kernels can run on it.
 */
export function missingInternals(backend: unknown): string[] {
  const b = (backend ?? {}) as Record<string, unknown>
  const missing: string[] = []
  for (const name of METHODS) if (typeof b[name] !== 'function') missing.push(name)
  for (const name of NUMBERS) if (typeof b[name] !== 'number') missing.push(name)
  for (const name of DECLARED) if (!(name in b)) missing.push(name)
  if (typeof b['supportTimestampQuery'] !== 'boolean') missing.push('supportTimestampQuery')
  if (!(b['commandQueueOwnedIds'] instanceof WeakSet)) missing.push('commandQueueOwnedIds')
  const tensorMap = b['tensorMap'] as { get?: unknown } | null | undefined
  if (typeof tensorMap?.get !== 'function') missing.push('tensorMap.get')
  const device = b['device'] as Record<string, unknown> | null | undefined
  if (device == null || typeof device !== 'object') return [...missing, 'device']
  for (const name of DEVICE_METHODS) if (typeof device[name] !== 'function') missing.push(`device.${name}`)
  const limits = (device['limits'] ?? {}) as Record<string, unknown>
  for (const name of DEVICE_LIMITS) if (typeof limits[name] !== 'number') missing.push(`device.limits.${name}`)
  return missing
}
