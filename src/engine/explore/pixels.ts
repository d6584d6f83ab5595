import * as tf from '@tensorflow/tfjs'
import type { RgbaImage } from '../../shared/api/image'

/**
 * Turns a batch of generator outputs (NHWC, values in [-1, 1], 1 or 3 channels) into RGBA images for the
 * renderer. One download for the whole batch; the quantisation happens on the backend.
 */
export async function tensorToRgbaImages(batch: tf.Tensor4D): Promise<RgbaImage[]> {
  const [n, height, width, channels] = batch.shape
  const bytes = tf.tidy(() => batch.add(1).mul(127.5).round().clipByValue(0, 255).cast('int32'))
  const values = await bytes.data()
  bytes.dispose()
  const images: RgbaImage[] = []
  const pixels = height * width
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(pixels * 4)
    const base = i * pixels * channels
    for (let p = 0; p < pixels; p++) {
      const src = base + p * channels
      const r = values[src] ?? 0
      data[p * 4] = r
      data[p * 4 + 1] = channels === 3 ? (values[src + 1] ?? 0) : r
      data[p * 4 + 2] = channels === 3 ? (values[src + 2] ?? 0) : r
      data[p * 4 + 3] = 255
    }
    images.push({ width, height, data })
  }
  return images
}
