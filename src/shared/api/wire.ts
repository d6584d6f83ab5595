import { z } from 'zod'
import { CallOutcome } from './contract'

/**
 * The WebSocket wire format of the Studio API (web mode). Messages are JSON, except that typed arrays
 * (images, z vectors) travel as raw bytes: a frame is
 *   [u32 LE: JSON byte length][JSON][payload bytes…]
 * and each typed array in the JSON is replaced by {"$bin": [type, offset, length]} pointing into the payload.
 * That keeps a 64-image grid at its raw size instead of inflating it a third with base64.
 */

export const WsClientMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('call'), id: z.number().int().nonnegative(), method: z.string().max(100), params: z.unknown() })
])
export type WsClientMessage = z.infer<typeof WsClientMessage>

export const WsServerMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('result'), id: z.number().int().nonnegative(), outcome: CallOutcome }),
  z.object({ t: z.literal('event'), event: z.string(), payload: z.unknown() })
])
export type WsServerMessage = z.infer<typeof WsServerMessage>

const ARRAY_TYPES = {
  u8: Uint8Array,
  f32: Float32Array,
  i32: Int32Array
} as const
type ArrayTag = keyof typeof ARRAY_TYPES

function tagOf(value: unknown): ArrayTag | null {
  if (value instanceof Uint8Array) return 'u8'
  if (value instanceof Float32Array) return 'f32'
  if (value instanceof Int32Array) return 'i32'
  return null
}

export function encodeFrame(message: unknown): Uint8Array<ArrayBuffer> {
  const chunks: Uint8Array[] = []
  let offset = 0
  const json = JSON.stringify(message, (_key, value: unknown) => {
    const tag = tagOf(value)
    if (tag === null) return value
    const view = value as Uint8Array | Float32Array | Int32Array
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
    // Keep every array aligned to 4 bytes so Float32Array views can be made without copying.
    const padding = (4 - (offset % 4)) % 4
    if (padding > 0) {
      chunks.push(new Uint8Array(padding))
      offset += padding
    }
    const ref = { $bin: [tag, offset, view.length] }
    chunks.push(bytes)
    offset += bytes.length
    return ref
  })
  const jsonBytes = new TextEncoder().encode(json)
  // The payload starts on a 4-byte boundary too.
  const headerLength = 4 + jsonBytes.length
  const headerPadding = (4 - (headerLength % 4)) % 4
  const frame = new Uint8Array(headerLength + headerPadding + offset)
  new DataView(frame.buffer).setUint32(0, jsonBytes.length + headerPadding, true)
  frame.set(jsonBytes, 4)
  frame.fill(0x20, headerLength, headerLength + headerPadding) // JSON-safe whitespace
  let at = headerLength + headerPadding
  for (const chunk of chunks) {
    frame.set(chunk, at)
    at += chunk.length
  }
  return frame
}

const BinRef = z.object({
  $bin: z.tuple([z.enum(['u8', 'f32', 'i32']), z.number().int().nonnegative(), z.number().int().nonnegative()])
})

export class WireFormatError extends Error {}

export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.length < 4) throw new WireFormatError('frame shorter than its header')
  const jsonLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true)
  if (4 + jsonLength > frame.length) throw new WireFormatError('frame header points past the end of the frame')
  // Copy the payload once into a fresh, aligned buffer; typed arrays below are views into it.
  const payload = new Uint8Array(frame.subarray(4 + jsonLength)).buffer
  const text = new TextDecoder().decode(frame.subarray(4, 4 + jsonLength))
  return JSON.parse(text, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || !('$bin' in value)) return value
    const ref = BinRef.safeParse(value)
    if (!ref.success) throw new WireFormatError('malformed binary reference')
    const [tag, offset, length] = ref.data.$bin
    const Ctor = ARRAY_TYPES[tag]
    if (offset % Ctor.BYTES_PER_ELEMENT !== 0 || offset + length * Ctor.BYTES_PER_ELEMENT > payload.byteLength) {
      throw new WireFormatError('binary reference out of bounds')
    }
    return new Ctor(payload, offset, length)
  })
}
