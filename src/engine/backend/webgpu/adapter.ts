import { WEBGPU_LIMITS, type WebGpuAdapter } from '../../../shared/api/engine'
import type { DawnAdapter, DawnAdapterInfo } from './dawn'

/**
 * Software rasterisers that WebGPU implementations offer as adapters. They run every shader on the CPU, far
 * slower than the wasm backend, so the ladder never picks one (`--backend webgpu` still can, which is how the
 * tests run on machines without a GPU).
 */
const SOFTWARE_ADAPTERS: ReadonlyArray<{ pattern: RegExp; name: string }> = [
  { pattern: /swiftshader/i, name: "SwiftShader, Google's software Vulkan," },
  { pattern: /lavapipe|llvmpipe/i, name: "llvmpipe/lavapipe, Mesa's software Vulkan," },
  { pattern: /softpipe/i, name: "softpipe, Mesa's reference software renderer," },
  { pattern: /microsoft basic render|\bwarp\b/i, name: "WARP, Windows' software Direct3D," }
]

/** Why `info` describes a software adapter, or null for a GPU. */
export function softwareAdapterReason(info: DawnAdapterInfo, adapterFallback = false): string | null {
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ')
  const known = SOFTWARE_ADAPTERS.find(({ pattern }) => pattern.test(text))
  if (known) return `${known.name} renders on the CPU`
  if (info.isFallbackAdapter === true || adapterFallback) return 'the adapter says it is a fallback adapter (software, or too limited for WebGPU proper)'
  return null
}

/**
 * What the studio reports about an adapter. `limits` are read from the backend's device once it runs on the
 * adapter (tfjs-backend-webgpu requests the adapter's maxima for exactly these), else from the adapter.
 */
export function describeAdapter(adapter: DawnAdapter, limits: Readonly<Record<string, number>> = adapter.limits): WebGpuAdapter {
  const { info } = adapter
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    fallback: info.isFallbackAdapter === true || adapter.isFallbackAdapter === true,
    software: softwareAdapterReason(info, adapter.isFallbackAdapter === true),
    limits: Object.fromEntries(WEBGPU_LIMITS.map((name) => [name, limits[name] ?? 0])) as WebGpuAdapter['limits']
  }
}
