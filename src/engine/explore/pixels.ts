import * as tf from '@tensorflow/tfjs'
import { StudioError } from '../../shared/api/errors'
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

/**
 * An RGBA image as a batch of one in the model's pixel range ([1, size, size, channels], values in [-1, 1]):
 * what D sees. Grayscale models take the mean of R, G and B (equal to each for a gray image). The image must
 * already have the model's size; resizing here would silently show D something other than the user picked.
 */
export function rgbaToTensor(image: RgbaImage, size: number, channels: 1 | 3): tf.Tensor4D {
  if (image.width !== size || image.height !== size) {
    throw new StudioError(
      'bad_request',
      `The image is ${image.width}×${image.height} pixels, but this model sees ${size}×${size} images. Pick an image of the model's size.`
    )
  }
  const pixels = size * size
  const values = new Float32Array(pixels * channels)
  for (let p = 0; p < pixels; p++) {
    const r = image.data[p * 4] ?? 0
    const g = image.data[p * 4 + 1] ?? 0
    const b = image.data[p * 4 + 2] ?? 0
    if (channels === 1) values[p] = (r + g + b) / 3 / 127.5 - 1
    else {
      values[p * 3] = r / 127.5 - 1
      values[p * 3 + 1] = g / 127.5 - 1
      values[p * 3 + 2] = b / 127.5 - 1
    }
  }
  return tf.tensor4d(values, [1, size, size, channels])
}

/**
 * A batch of square images resized to `size` for thumbnails. Shrinking by an integer factor averages each
 * block (no aliasing); enlarging repeats pixels (no invented blur); anything else is bilinear.
 */
export function resizeImages(batch: tf.Tensor4D, size: number): tf.Tensor4D {
  const [, height] = batch.shape
  if (height === size) return batch.clone()
  const factor = height / size
  if (Number.isInteger(factor)) return tf.avgPool(batch, factor, factor, 'valid')
  if (size > height) return tf.image.resizeNearestNeighbor(batch, [size, size])
  return tf.image.resizeBilinear(batch, [size, size])
}
