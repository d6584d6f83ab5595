import { Rng } from '../latent/random'
import { type Shape } from './shapes'

export type Rgb = readonly [number, number, number]

/**
 * A supersampled RGB canvas (floats, 0…255). Faces are painted at `factor`× the output size and box-filtered
 * down, which anti-aliases every edge the same way at 32, 64 and 128 px without per-shape edge maths.
 */
export class Canvas {
  /** Side of the supersampled grid. */
  readonly n: number
  readonly data: Float32Array

  constructor(
    readonly size: number,
    readonly factor: number
  ) {
    this.n = size * factor
    this.data = new Float32Array(this.n * this.n * 3)
  }

  /** Paints every sample: `colour(x, y, out)` writes the RGB at image fractions (x, y). */
  fill(colour: (x: number, y: number, out: number[]) => void): void {
    const out = [0, 0, 0]
    for (let j = 0; j < this.n; j++) {
      const y = (j + 0.5) / this.n
      for (let i = 0; i < this.n; i++) {
        colour((i + 0.5) / this.n, y, out)
        const k = (j * this.n + i) * 3
        this.data[k] = out[0] as number
        this.data[k + 1] = out[1] as number
        this.data[k + 2] = out[2] as number
      }
    }
  }

  /** Blends `colour` over the samples the shape covers, at `opacity` × its coverage. */
  paint(shape: Shape, colour: Rgb, opacity = 1): void {
    const n = this.n
    const { x0, y0, x1, y1 } = shape.box
    const i0 = Math.max(0, Math.floor(x0 * n))
    const i1 = Math.min(n - 1, Math.ceil(x1 * n))
    const j0 = Math.max(0, Math.floor(y0 * n))
    const j1 = Math.min(n - 1, Math.ceil(y1 * n))
    const [r, g, b] = colour
    for (let j = j0; j <= j1; j++) {
      const y = (j + 0.5) / n
      for (let i = i0; i <= i1; i++) {
        const c = shape.coverage((i + 0.5) / n, y)
        if (c <= 0) continue
        const a = c * opacity
        const k = (j * n + i) * 3
        this.data[k] = (this.data[k] as number) + (r - (this.data[k] as number)) * a
        this.data[k + 1] = (this.data[k + 1] as number) + (g - (this.data[k + 1] as number)) * a
        this.data[k + 2] = (this.data[k + 2] as number) + (b - (this.data[k + 2] as number)) * a
      }
    }
  }

  /**
   * The finished image: box-filtered to `size`, blended with a 3×3 blur by `blur` (0…1), plus Gaussian noise of
   * `noise` levels drawn from `noiseSeed`, rounded to bytes. Row-major RGB, 3 bytes a pixel.
   */
  toRgb(finish: { blur: number; noise: number; noiseSeed: number }): Uint8Array<ArrayBuffer> {
    const { size, factor, n } = this
    const pixels = new Float32Array(size * size * 3)
    const area = factor * factor
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0
          for (let dy = 0; dy < factor; dy++) {
            const row = (y * factor + dy) * n
            for (let dx = 0; dx < factor; dx++) sum += this.data[(row + x * factor + dx) * 3 + c] as number
          }
          pixels[(y * size + x) * 3 + c] = sum / area
        }
      }
    }
    const blurred = finish.blur > 0 ? blur3(pixels, size) : pixels
    const rng = new Rng(finish.noiseSeed)
    const out = new Uint8Array(size * size * 3)
    for (let k = 0; k < out.length; k++) {
      const value = (pixels[k] as number) * (1 - finish.blur) + (blurred[k] as number) * finish.blur + finish.noise * rng.normal()
      out[k] = Math.max(0, Math.min(255, Math.round(value)))
    }
    return out
  }
}

/** A 3×3 box blur, edges clamped. */
function blur3(pixels: Float32Array, size: number): Float32Array {
  const out = new Float32Array(pixels.length)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0
        for (let dy = -1; dy <= 1; dy++) {
          const yy = Math.min(size - 1, Math.max(0, y + dy))
          for (let dx = -1; dx <= 1; dx++) {
            const xx = Math.min(size - 1, Math.max(0, x + dx))
            sum += pixels[(yy * size + xx) * 3 + c] as number
          }
        }
        out[(y * size + x) * 3 + c] = sum / 9
      }
    }
  }
  return out
}
