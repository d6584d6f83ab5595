import { describe, expect, it } from 'vitest'
import { sniffImage } from './sniff-image'

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? Array.from({ length: p.length }, (_, i) => p.charCodeAt(i)) : p)))

describe('sniffImage', () => {
  it('recognises the imported formats by their signatures', () => {
    expect(sniffImage(bytes([0xff, 0xd8, 0xff, 0xe0]))).toEqual({ kind: 'image', format: 'jpeg' })
    expect(sniffImage(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]))).toEqual({ kind: 'image', format: 'png' })
    expect(sniffImage(bytes('GIF89a'))).toEqual({ kind: 'image', format: 'gif' })
    expect(sniffImage(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toEqual({ kind: 'image', format: 'webp' })
    expect(sniffImage(bytes('II', [0x2a, 0]))).toEqual({ kind: 'image', format: 'tiff' })
    expect(sniffImage(bytes('MM', [0, 0x2a]))).toEqual({ kind: 'image', format: 'tiff' })
    expect(sniffImage(bytes('BM', new Array(30).fill(0)))).toEqual({ kind: 'image', format: 'bmp' })
  })

  it('names what a non-image is, whatever the file is called', () => {
    expect(sniffImage(bytes('just some notes\n'))).toEqual({ kind: 'other', reason: 'not an image (text file)' })
    expect(sniffImage(bytes('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({
      kind: 'other',
      reason: 'unsupported image format (SVG)'
    })
    expect(sniffImage(bytes('%PDF-1.7'))).toMatchObject({ reason: 'not an image (PDF document)' })
    expect(sniffImage(bytes([0, 0, 0, 0x18], 'ftypheic'))).toMatchObject({ reason: 'unsupported image format (HEIC)' })
    expect(sniffImage(bytes([0, 1, 2, 3, 0, 0xfe, 0x80]))).toMatchObject({ reason: 'not an image (unrecognised content)' })
  })
})
