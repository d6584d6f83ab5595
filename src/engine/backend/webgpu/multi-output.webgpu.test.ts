import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireSwiftShader } from '../../../../tests/support/swiftshader'
import { releaseBackend, selectBackend } from '../select'
import { MOVING_AVERAGES_PROGRAM } from './batch-norm-programs'
import { runMultiOutputProgram } from './multi-output'

/** The runner of the studio's multi-output programs (multi-output.ts), on what its kernels' own tests do not reach. */

beforeAll(() => requireSwiftShader())
afterAll(() => releaseBackend())

describe("the studio's multi-output programs on webgpu", () => {
  beforeAll(async () => {
    const choice = await selectBackend('webgpu')
    expect(choice.backend).toBe('webgpu')
  }, 300_000)

  const uniforms = (channels: number) => [
    { type: 'uint32' as const, data: [channels] },
    { type: 'float32' as const, data: [0.5] }
  ]

  it('writes every output in one dispatch, over a size that is not a multiple of a workgroup', async () => {
    const channels = 300
    const mean = tf.fill([channels], 2)
    const variance = tf.fill([channels], 4)
    const stats = tf.concat([tf.zeros([channels]), tf.fill([channels], 8)])
    const [newMean, newVariance] = runMultiOutputProgram(
      tf.backend(),
      MOVING_AVERAGES_PROGRAM,
      [mean, variance, stats],
      [[channels], [channels]],
      uniforms(channels),
      channels
    ).map((info) => tf.engine().makeTensorFromTensorInfo(info)) as [tf.Tensor, tf.Tensor]
    expect([...(await newMean.data())]).toEqual(new Array(channels).fill(1))
    expect([...(await newVariance.data())]).toEqual(new Array(channels).fill(6))
    tf.dispose([mean, variance, stats, newMean, newVariance])
  }, 300_000)

  it('refuses one tensor bound twice, naming the program, and leaves no output behind', () => {
    const channels = 4
    const mean = tf.zeros([channels])
    const stats = tf.zeros([2, channels])
    const dataIds = (): number => tf.backend().numDataIds()
    const before = dataIds()
    expect(() =>
      runMultiOutputProgram(tf.backend(), MOVING_AVERAGES_PROGRAM, [mean, mean, stats], [[channels], [channels]], uniforms(channels), channels)
    ).toThrow(/studio_bn_moving_averages: its 3 inputs and 2 outputs must all be different GPU buffers/)
    expect(dataIds()).toBe(before)
    tf.dispose([mean, stats])
  }, 300_000)
})
