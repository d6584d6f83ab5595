import { describe, expect, it } from 'vitest'
import { missingInternals } from './backend-internals'

/**
 * The check the webgpu rung makes of tfjs-backend-webgpu's internals before it trains on them (a started
 * backend on SwiftShader passes it: rung.webgpu.test.ts). Here, objects shaped as a backend of another version
 * might be: each member that is gone or changed is named.
 */

const method = (): void => undefined

function backendShape(): Record<string, unknown> {
  return {
    device: {
      limits: { maxComputeWorkgroupsPerDimension: 65535, maxStorageBuffersPerShaderStage: 8, maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28 },
      createShaderModule: method,
      createComputePipeline: method,
      createQuerySet: method,
      createBindGroup: method
    },
    tensorMap: { get: method },
    runWebGPUProgram: method,
    makeTensorInfo: method,
    uploadToGPU: method,
    makeUniforms: method,
    disposeData: method,
    ensureCommandEncoderReady: method,
    endComputePassEncoder: method,
    submitQueue: method,
    getQueryTime: method,
    commandEncoder: null,
    computePassEncoder: null,
    commandQueueOwnedIds: new WeakSet(),
    dispatchCountInPass: 0,
    supportTimestampQuery: false,
    querySet: null,
    querySetCount: 2
  }
}

describe('missingInternals', () => {
  it('finds nothing missing in a backend of the shape the kernels use, before its first dispatch (encoders null)', () => {
    expect(missingInternals(backendShape())).toEqual([])
  })

  it('names each member that is gone or has changed form, device limits and tensorMap included', () => {
    const backend = backendShape()
    delete backend['makeUniforms']
    delete backend['computePassEncoder']
    backend['dispatchCountInPass'] = '0'
    backend['commandQueueOwnedIds'] = new Set()
    backend['tensorMap'] = { entries: new Map() }
    const device = backend['device'] as { limits: Record<string, unknown> }
    delete device.limits['maxStorageBuffersPerShaderStage']
    expect(missingInternals(backend)).toEqual([
      'makeUniforms',
      'dispatchCountInPass',
      'computePassEncoder',
      'commandQueueOwnedIds',
      'tensorMap.get',
      'device.limits.maxStorageBuffersPerShaderStage'
    ])
  })

  it('names the device when there is none, and everything for something that is not a backend', () => {
    const backend = backendShape()
    delete backend['device']
    expect(missingInternals(backend)).toEqual(['device'])
    expect(missingInternals(null)).toEqual(expect.arrayContaining(['runWebGPUProgram', 'tensorMap.get', 'device']))
  })
})
