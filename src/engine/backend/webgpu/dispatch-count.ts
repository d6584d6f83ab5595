/**
 * Counts the GPU programs dispatched while `work` runs: every `dispatchWorkgroups` (and its indirect form) on any
 * WebGPU compute pass, whoever records it — tfjs-backend-webgpu's programs and the studio's own
 * (multi-output.ts records its dispatches itself). On a GPU a small model's step costs about as much per
 * dispatch as per flop, so this is the number the fused kernels reduce, measured exactly without a GPU.
 * Returns null as the count where WebGPU is not loaded (`GPUComputePassEncoder` is one of the globals Dawn
 * installs, dawn.ts). Counts do not nest: one count at a time.
 */
export async function countGpuDispatches<T>(work: () => Promise<T>): Promise<{ result: T; dispatches: number | null }> {
  const encoder = (globalThis as { GPUComputePassEncoder?: { prototype: PassPrototype } }).GPUComputePassEncoder
  if (!encoder) return { result: await work(), dispatches: null }
  if (counting) throw new Error('countGpuDispatches is already counting: counts do not nest.')
  const proto = encoder.prototype
  const direct = proto.dispatchWorkgroups
  const indirect = proto.dispatchWorkgroupsIndirect
  let dispatches = 0
  proto.dispatchWorkgroups = function (this: unknown, ...args: unknown[]) {
    dispatches++
    return direct.apply(this, args)
  }
  proto.dispatchWorkgroupsIndirect = function (this: unknown, ...args: unknown[]) {
    dispatches++
    return indirect.apply(this, args)
  }
  counting = true
  try {
    const result = await work()
    return { result, dispatches }
  } finally {
    proto.dispatchWorkgroups = direct
    proto.dispatchWorkgroupsIndirect = indirect
    counting = false
  }
}

type PassMethod = (this: unknown, ...args: unknown[]) => unknown

interface PassPrototype {
  dispatchWorkgroups: PassMethod
  dispatchWorkgroupsIndirect: PassMethod
}

let counting = false
