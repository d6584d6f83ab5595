import { describe, expect, it } from 'vitest'
import { PROBE_EXPECTED, readProbeRun } from './probe-log'

// libtensorflow 2.9's own log lines, in the formats its sources print them (dso_loader.cc, gpu_device.cc,
// eager/execute.cc under TF_CPP_VMODULE=execute=1).
const T = '2025-03-02 10:15:42.123456'
const GPU_LOG = [
  `${T}: I tensorflow/stream_executor/platform/default/dso_loader.cc:53] Successfully opened dynamic library libcudart.so.11.0`,
  `${T}: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 22290 MB memory:  -> device: 0, name: NVIDIA GeForce RTX 3090, pci bus id: 0000:01:00.0, compute capability: 8.6`,
  `${T}: I tensorflow/core/common_runtime/eager/execute.cc:1419] Executing op MatMul in device /job:localhost/replica:0/task:0/device:GPU:0`
].join('\n')

const CPU_LOG = [
  `${T}: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory`,
  `${T}: W tensorflow/core/common_runtime/gpu/gpu_device.cc:1850] Cannot dlopen some GPU libraries. Please make sure the missing libraries mentioned above are installed properly if you would like to use GPU.`,
  'Skipping registering GPU devices...',
  `${T}: I tensorflow/core/common_runtime/eager/execute.cc:1419] Executing op MatMul in device /job:localhost/replica:0/task:0/device:CPU:0`
].join('\n')

const reply = (values: number[], gpuDevice: boolean): string => `${JSON.stringify({ values, gpuDevice, backend: 'tensorflow' })}\n`
const run = { exitCode: 0, timedOut: false, timeoutMs: 300_000, seconds: 4.2 }

describe('reading the one-op probe', () => {
  it('proves GPU:0 from the placement line and a right result, naming the device', () => {
    const result = readProbeRun({ ...run, stdout: reply(PROBE_EXPECTED, true), stderr: GPU_LOG })
    expect(result.outcome).toBe('gpu')
    expect(result.device).toBe('/job:localhost/replica:0/task:0/device:GPU:0')
    expect(result.message).toBe(
      'MatMul ran on GPU:0 (device: 0, name: NVIDIA GeForce RTX 3090, pci bus id: 0000:01:00.0, compute capability: 8.6) and gave the right result in 4.2 s'
    )
    expect(result.evidence).toEqual([
      'Created device /job:localhost/replica:0/task:0/device:GPU:0 with 22290 MB memory:  -> device: 0, name: NVIDIA GeForce RTX 3090, pci bus id: 0000:01:00.0, compute capability: 8.6',
      'Executing op MatMul in device /job:localhost/replica:0/task:0/device:GPU:0'
    ])
  })

  it('says the op ran on the CPU, and which library failed to load', () => {
    const result = readProbeRun({ ...run, stdout: reply(PROBE_EXPECTED, false), stderr: CPU_LOG })
    expect(result.outcome).toBe('cpu')
    expect(result.message).toBe('MatMul ran on CPU:0, not GPU:0: libcudnn.so.8 did not load')
    expect(result.evidence).toContain(
      "Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory"
    )
    expect(result.evidence).toContain('Skipping registering GPU devices...')
  })

  it('does not claim the GPU when the log says nothing about placement', () => {
    const unproven = readProbeRun({ ...run, stdout: reply(PROBE_EXPECTED, true), stderr: '' })
    expect(unproven.outcome).toBe('unproven')
    expect(unproven.message).toMatch(/not proven/)
    const noDevice = readProbeRun({ ...run, stdout: reply(PROBE_EXPECTED, false), stderr: CPU_LOG.split('\n').slice(0, 3).join('\n') })
    expect(noDevice).toMatchObject({ outcome: 'cpu', message: 'libtensorflow registered no GPU, so the op ran on the CPU: libcudnn.so.8 did not load' })
  })

  it('fails on a wrong result, a crash or a timeout, saying what happened', () => {
    expect(readProbeRun({ ...run, stdout: reply([0, 0, 0, 0], true), stderr: GPU_LOG })).toMatchObject({
      outcome: 'failed',
      message: 'the op ran but gave [0,0,0,0] instead of [19,22,43,50]'
    })
    expect(readProbeRun({ ...run, exitCode: 1, stdout: `${JSON.stringify({ error: 'Cannot find module tfjs_binding.node' })}\n`, stderr: '' })).toMatchObject({
      outcome: 'failed',
      message: 'tfjs-node-gpu did not run the op: Cannot find module tfjs_binding.node'
    })
    expect(readProbeRun({ ...run, exitCode: null, stdout: '', stderr: `${T}: F tensorflow/core/x.cc:1] Check failed: cuInit` })).toMatchObject({
      outcome: 'failed',
      message: 'tfjs-node-gpu did not run the op: Check failed: cuInit'
    })
    const slow = readProbeRun({ ...run, timedOut: true, exitCode: null, stdout: '', stderr: GPU_LOG.split('\n').slice(0, 2).join('\n') })
    expect(slow.outcome).toBe('failed')
    expect(slow.message).toMatch(/did not finish within 300 s; on a GPU from sm_80 on/)
    expect(slow.evidence[0]).toMatch(/^Created device .*GPU:0/)
  })
})
