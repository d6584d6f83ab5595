import { describe, expect, it } from 'vitest'
import { adapterName, webGpuLimitsText } from '../../../shared/api/engine'
import { describeAdapter, softwareAdapterReason } from './adapter'
import type { DawnAdapter } from './dawn'

// What Dawn reports for the adapters users have (vendor, architecture, device, description), and for the
// software ones the ladder must pass over.
const adapters = {
  swiftshader: {
    vendor: 'google',
    architecture: 'swiftshader',
    device: 'swiftshader-device-subzero-',
    description: 'SwiftShader driver 5.0.0',
    isFallbackAdapter: true
  },
  lavapipe: { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)', isFallbackAdapter: false },
  warp: { vendor: 'microsoft', architecture: '', device: '0x8c', description: 'Microsoft Basic Render Driver', isFallbackAdapter: false },
  fallback: { vendor: 'unknown', architecture: '', device: '', description: 'Some adapter', isFallbackAdapter: true },
  nvidia: { vendor: 'nvidia', architecture: 'ada', device: '0x2684', description: 'NVIDIA: 550.54.14 550.54.14.0', isFallbackAdapter: false },
  apple: { vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2 Pro', isFallbackAdapter: false },
  amd: { vendor: 'amd', architecture: 'rdna-3', device: '0x744c', description: 'Radeon RX 7900 XTX (RADV NAVI31)', isFallbackAdapter: false }
}

function adapter(info: (typeof adapters)[keyof typeof adapters], extra: Partial<DawnAdapter> = {}): DawnAdapter {
  return {
    info,
    limits: {
      maxStorageBufferBindingSize: 1 << 30,
      maxBufferSize: 1 << 30,
      maxComputeWorkgroupStorageSize: 32768,
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupSizeX: 256,
      maxComputeWorkgroupsPerDimension: 65535,
      maxTextureDimension2D: 8192
    },
    ...extra
  }
}

describe('software adapters', () => {
  it.each(['swiftshader', 'lavapipe', 'warp', 'fallback'] as const)('recognises %s as software', (name) => {
    expect(softwareAdapterReason(adapters[name])).not.toBeNull()
  })

  it.each(['nvidia', 'apple', 'amd'] as const)('takes %s for a GPU', (name) => {
    expect(softwareAdapterReason(adapters[name])).toBeNull()
  })

  it('names the rasteriser, and trusts the adapter-level fallback flag of older Dawn builds', () => {
    expect(softwareAdapterReason(adapters.swiftshader)).toMatch(/SwiftShader.*CPU/)
    expect(softwareAdapterReason(adapters.lavapipe)).toMatch(/llvmpipe/)
    expect(softwareAdapterReason(adapters.warp)).toMatch(/WARP/)
    expect(softwareAdapterReason({ ...adapters.fallback, isFallbackAdapter: false }, true)).toMatch(/fallback/)
  })
})

describe('describeAdapter', () => {
  it('reports the adapter, whether it is software, and only the limits the backend uses', () => {
    const described = describeAdapter(adapter(adapters.nvidia))
    expect(described).toEqual({
      vendor: 'nvidia',
      architecture: 'ada',
      device: '0x2684',
      description: 'NVIDIA: 550.54.14 550.54.14.0',
      fallback: false,
      software: null,
      limits: {
        maxStorageBufferBindingSize: 1 << 30,
        maxBufferSize: 1 << 30,
        maxComputeWorkgroupStorageSize: 32768,
        maxComputeInvocationsPerWorkgroup: 256,
        maxComputeWorkgroupSizeX: 256,
        maxComputeWorkgroupsPerDimension: 65535
      }
    })
    expect(adapterName(described)).toBe('NVIDIA: 550.54.14 550.54.14.0 (nvidia ada)')
    expect(webGpuLimitsText(described.limits)).toBe(
      'storage binding 1 GiB, buffer 1 GiB, workgroup memory 32 KiB, 256 invocations per workgroup (x ≤ 256), 65535 workgroups per dimension'
    )
  })

  it('takes the limits of the device when one is given', () => {
    const described = describeAdapter(adapter(adapters.swiftshader), { maxBufferSize: 268435456 })
    expect(described.fallback).toBe(true)
    expect(described.software).toMatch(/SwiftShader/)
    expect(described.limits.maxBufferSize).toBe(268435456)
    expect(described.limits.maxComputeWorkgroupSizeX).toBe(0)
  })
})
