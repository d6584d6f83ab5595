import { z } from 'zod'

/**
 * Images cross process boundaries as raw RGBA bytes (row-major, 4 bytes a pixel) with their size, so the
 * renderer can draw them straight into an ImageData without decoding anything.
 */
export const RgbaImage = z
  .object({
    width: z.number().int().positive().max(8192),
    height: z.number().int().positive().max(8192),
    data: z.instanceof(Uint8Array)
  })
  .refine((img) => img.data.length === img.width * img.height * 4, {
    error: 'data length must equal width × height × 4'
  })
export type RgbaImage = z.infer<typeof RgbaImage>
