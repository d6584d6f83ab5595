import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { tensorToRgbaImages } from '../explore/pixels'

/**
 * The fixed-noise sample grid a run writes every `sampleEvery` steps (the paper's per-epoch grids): the same z
 * each time, so the timeline shows one set of samples evolving. Also measures how different the samples are
 * from each other, the signal the diversity-collapse warning watches.
 */

/** Pixels between cells, so neighbouring samples do not run into each other. */
export const GRID_GAP = 2

export interface GridLayout {
  columns: number
  rows: number
  width: number
  height: number
}

/** As square as possible: 64 samples are 8 × 8, 10 samples 4 × 3. */
export function gridLayout(count: number, size: number): GridLayout {
  const columns = Math.ceil(Math.sqrt(count))
  const rows = Math.ceil(count / columns)
  return { columns, rows, width: columns * size + (columns - 1) * GRID_GAP, height: rows * size + (rows - 1) * GRID_GAP }
}

/** A PNG of `images` ([n, s, s, c] in [-1, 1]) tiled row by row on black, grayscale when c is 1. */
export async function encodeSampleGrid(images: tf.Tensor4D): Promise<Buffer> {
  const [count, size, , channels] = images.shape
  const rgba = await tensorToRgbaImages(images)
  const layout = gridLayout(count, size)
  const grid = new Uint8Array(layout.width * layout.height * channels)
  rgba.forEach((image, i) => {
    const left = (i % layout.columns) * (size + GRID_GAP)
    const top = Math.floor(i / layout.columns) * (size + GRID_GAP)
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const from = (y * size + x) * 4
        const to = ((top + y) * layout.width + left + x) * channels
        for (let c = 0; c < channels; c++) grid[to + c] = image.data[from + c] as number
      }
    }
  })
  const image = sharp(grid, { raw: { width: layout.width, height: layout.height, channels: channels as 1 | 3 } })
  // sharp would otherwise widen one channel to sRGB: three times the bytes for the same grey pixels.
  return (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer()
}

/**
 * Mean distance between two different samples, as root-mean-square per value (so 0 means identical images and
 * 2 is the most two images in [-1, 1] can differ). Null for a single sample.
 */
export async function sampleDiversity(images: tf.Tensor4D): Promise<number | null> {
  const count = images.shape[0]
  if (count < 2) return null
  const mean = tf.tidy(() => {
    const flat = images.reshape([count, -1])
    const values = flat.shape[1] ?? 1
    // ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b for every pair at once; clipped because rounding can make it slightly negative.
    const squares = flat.square().sum(1)
    const gram = tf.matMul(flat, flat, false, true)
    const distances = squares
      .reshape([count, 1])
      .add(squares.reshape([1, count]))
      .sub(gram.mul(2))
      .clipByValue(0, Infinity)
      .div(values)
      .sqrt()
    // The diagonal (each sample against itself) is zero; average over the count·(count−1) other pairs.
    return distances.sum().div(count * (count - 1))
  })
  const value = (await mean.data())[0] ?? 0
  mean.dispose()
  return value
}

/** Removes grids of steps after `lastStep` (they will be drawn again) and temporaries left by a crash. */
export async function removeSamplesAfter(samplesDir: string, lastStep: number): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(samplesDir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const removed: string[] = []
  for (const name of names) {
    const step = /^step-(\d+)\.png$/.exec(name)?.[1]
    const stale = name.startsWith('.') && name.endsWith('.tmp')
    if (stale || (step !== undefined && Number(step) > lastStep)) {
      await rm(path.join(samplesDir, name), { force: true })
      removed.push(name)
    }
  }
  return removed
}
