import { describe, expect, it } from 'vitest'
import { WireFormatError, decodeFrame, encodeFrame } from '../../src/shared/api/wire'

describe('WebSocket wire format', () => {
  it('round-trips JSON with typed arrays as raw bytes', () => {
    const image = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])
    const z = new Float32Array([0.25, -1, 1, 0.5])
    const message = { t: 'result', id: 7, outcome: { ok: true, result: { samples: [{ z, image: { width: 1, height: 1, data: image } }] } } }
    const frame = encodeFrame(message)
    // Raw bytes, not base64: the frame is barely larger than its arrays plus the JSON.
    expect(frame.length).toBeLessThan(image.length + z.byteLength + 200)
    const back = decodeFrame(frame) as typeof message
    expect(back.outcome.result.samples[0]?.z).toEqual(z)
    expect(back.outcome.result.samples[0]?.image.data).toEqual(image)
    expect(back.id).toBe(7)
  })

  it('keeps arrays that are views into larger buffers correct', () => {
    const big = new Float32Array([9, 9, 1, 2, 3, 9])
    const view = big.subarray(2, 5)
    const back = decodeFrame(encodeFrame({ v: view })) as { v: Float32Array }
    expect(Array.from(back.v)).toEqual([1, 2, 3])
  })

  it('rejects truncated frames and out-of-bounds references', () => {
    expect(() => decodeFrame(new Uint8Array([1, 0]))).toThrow(WireFormatError)
    const frame = encodeFrame({ data: new Uint8Array(16) })
    expect(() => decodeFrame(frame.subarray(0, frame.length - 8))).toThrow(WireFormatError)
    const lying = new TextEncoder().encode('{"x":{"$bin":["f32",0,1000]}}')
    const forged = new Uint8Array(4 + lying.length)
    new DataView(forged.buffer).setUint32(0, lying.length, true)
    forged.set(lying, 4)
    expect(() => decodeFrame(forged)).toThrow(WireFormatError)
  })
})
