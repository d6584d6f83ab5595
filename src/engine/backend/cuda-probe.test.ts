import { describe, expect, it } from 'vitest'
import { probeWith } from './cuda-probe'

// tfjs-node-gpu cannot be installed here (its install downloads libtensorflow), so the probe child runs on
// the package every install has, @tensorflow/tfjs: the same spawn, environment, op and reply, on a backend
// that has no GPU. What proves GPU:0 from libtensorflow's log is tested in src/node/cuda-doctor/probe-log.test.ts.
describe('the one-op probe child', () => {
  it('runs the op in a child process and reports, without a placement log, that it ran on the CPU', async () => {
    const result = await probeWith(require.resolve('@tensorflow/tfjs'), 120_000)
    expect(result).toMatchObject({ outcome: 'cpu', device: null, message: 'libtensorflow registered no GPU, so the op ran on the CPU' })
    expect(result.seconds).toBeGreaterThan(0)
  })

  it('stops a probe that runs past its time and says so', async () => {
    const result = await probeWith(require.resolve('@tensorflow/tfjs'), 10)
    expect(result.outcome).toBe('failed')
    expect(result.message).toMatch(/^the probe did not finish within 0.01 s/)
  })
})
