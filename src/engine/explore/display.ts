import type { RgbaImage } from '../../shared/api/image'

/**
 * Turns raw network numbers (activations, kernels, gradients) into images a person can read. Each image is
 * scaled on its own: the numbers' absolute size is reported beside the image (a map's strength), and one
 * shared scale would leave most maps black next to the strongest.
 */

/**
 * Channel `channel` of an NHWC activation of one example ([height, width, channels] values), stretched so
 * its smallest value is black and its largest white. A constant map (e.g. a ReLU that never fires) is black.
 */
export function featureMapImage(values: ArrayLike<number>, height: number, width: number, channels: number, channel: number): RgbaImage {
  const pixels = height * width
  let min = Infinity
  let max = -Infinity
  for (let p = 0; p < pixels; p++) {
    const v = values[p * channels + channel] as number
    if (v < min) min = v
    if (v > max) max = v
  }
  const scale = max > min ? 255 / (max - min) : 0
  const data = new Uint8Array(pixels * 4)
  for (let p = 0; p < pixels; p++) {
    const gray = Math.round(((values[p * channels + channel] as number) - min) * scale)
    data[p * 4] = gray
    data[p * 4 + 1] = gray
    data[p * 4 + 2] = gray
    data[p * 4 + 3] = 255
  }
  return { width, height, data }
}

/**
 * Output filter `index` of a conv kernel laid out [k, k, inChannels, outChannels], as a k×k tile: RGB when
 * it reads three channels, gray when one. Its smallest weight (over all its input channels, so colours keep
 * their balance) becomes 0 and its largest 255.
 */
export function filterTile(kernel: ArrayLike<number>, size: number, inChannels: number, outChannels: number, index: number): RgbaImage {
  const at = (pixel: number, c: number): number => kernel[(pixel * inChannels + c) * outChannels + index] as number
  const pixels = size * size
  let min = Infinity
  let max = -Infinity
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < inChannels; c++) {
      min = Math.min(min, at(p, c))
      max = Math.max(max, at(p, c))
    }
  }
  const scale = max > min ? 255 / (max - min) : 0
  const data = new Uint8Array(pixels * 4)
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + c] = Math.round((at(p, inChannels === 3 ? c : 0) - min) * scale)
    data[p * 4 + 3] = 255
  }
  return { width: size, height: size, data }
}

/**
 * A signed image ([height, width, channels] values, e.g. a gradient with respect to the input) around
 * mid-gray: 0 is gray (128), the largest magnitude is white or black, and all channels share one scale so
 * the colour of an RGB gradient is kept. All zeros is plain gray.
 */
export function signedImage(values: ArrayLike<number>, height: number, width: number, channels: number): RgbaImage {
  let peak = 0
  for (let i = 0; i < height * width * channels; i++) peak = Math.max(peak, Math.abs(values[i] as number))
  const scale = peak > 0 ? 127 / peak : 0
  const pixels = height * width
  const data = new Uint8Array(pixels * 4)
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + c] = Math.round(128 + (values[p * channels + (channels === 3 ? c : 0)] as number) * scale)
    data[p * 4 + 3] = 255
  }
  return { width, height, data }
}
