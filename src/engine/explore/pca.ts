import * as tf from '@tensorflow/tfjs'
import { Rng } from '../../shared/latent/random'

/**
 * Principal component analysis of a rows × cols matrix (one sample a row), for the latent map's 3D layout.
 *
 * Method: block power (subspace) iteration with Rayleigh–Ritz on the centred data, never forming its
 * cols × cols covariance (15,360² for D features of a 64×64 model would not fit in time or memory). Each
 * iteration is two matrix products (W = X·V, then Xᵀ·W), run on the tfjs backend; everything small (the
 * orthonormalisation, the block × block eigenproblem) runs here in float64. The block carries a few more
 * vectors than asked for, so the top ones converge at the rate of the gap to the block's edge rather than to
 * the next component. It stops when the top Ritz values settle: for a flat spectrum (an untrained D, or z
 * itself) the directions never settle, but any of them then explains about as much, which is all a layout
 * needs. Deterministic: the start vectors come from a fixed seed, and each component's sign is fixed.
 */

export interface PcaResult {
  /** rows × k: each sample's coordinates along the components, strongest component first. */
  scores: Float32Array
  /** k × cols: the components, unit vectors, strongest first. Zero where the data has fewer dimensions. */
  components: Float32Array
  /** The sample variance along each component (length k). */
  variances: number[]
  /** Share of the total variance the k components explain; 0 when the data does not vary at all. */
  explained: number
  iterations: number
}

export interface PcaOptions {
  maxIterations?: number
  /** Stop when no top Ritz value moves by more than this fraction of the largest. */
  tolerance?: number
  /**
   * Called after each iteration (a progress report; it may throw to stop). `settled` (0–1) says how far the
   * Ritz values have come from their first change towards the tolerance, on a log scale: the iteration usually
   * stops long before `maxIterations`, so the iteration count alone would make a progress bar jump at the end.
   */
  onIteration?: (iteration: number, maxIterations: number, settled: number) => void
}

/** Extra vectors in the block beyond the k asked for. */
const OVERSAMPLING = 4

/**
 * A rows × cols data matrix, centred, as PCA needs it: its total variance and its products with small blocks.
 * The matrix itself need not exist anywhere — the directions search regenerates it from G in chunks.
 */
export interface PcaSource {
  readonly rows: number
  readonly cols: number
  /** Sum of the columns' sample variances. */
  readonly totalVariance: number
  /** centred · right (cols × block, row-major) → rows × block, row-major. */
  times(right: Float64Array, block: number): Promise<Float64Array>
  /** centredᵀ · right (rows × block, row-major) → cols × block, row-major. */
  transposeTimes(right: Float64Array, block: number): Promise<Float64Array>
}

/** PCA of a matrix held in memory (one sample a row). */
export async function pca(data: Float32Array, rows: number, cols: number, k: number, options: PcaOptions = {}): Promise<PcaResult> {
  if (data.length !== rows * cols) throw new Error(`pca: ${data.length} values is not ${rows} × ${cols}`)
  const source = MemorySource.of(data, rows, cols)
  try {
    return await pcaOf(source, k, options)
  } finally {
    source.dispose()
  }
}

/** PCA of any source: the block iteration described at the top of this file. */
export async function pcaOf(source: PcaSource, k: number, options: PcaOptions = {}): Promise<PcaResult> {
  const { rows, cols } = source
  const maxIterations = options.maxIterations ?? 100
  const tolerance = options.tolerance ?? 1e-4
  const total = source.totalVariance
  // The centred data has rank at most rows − 1 and cols; a block wider than that has nothing to find.
  const block = Math.min(k + OVERSAMPLING, cols, rows - 1)
  const result: PcaResult = {
    scores: new Float32Array(rows * k),
    components: new Float32Array(k * cols),
    variances: new Array<number>(k).fill(0),
    explained: 0,
    iterations: 0
  }
  if (block < 1 || total <= 0) return result

  const rng = new Rng(0x5ca1ab1e)
  let basis: Float64Array = orthonormalise(
    Float64Array.from({ length: cols * block }, () => rng.normal()),
    cols,
    block
  )
  let projected: Float64Array = new Float64Array(rows * block)
  let ritz: Eigen = { values: new Float64Array(block), vectors: new Float64Array(block * block) }
  let previous: Float64Array | null = null
  let firstChange: number | null = null
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    result.iterations = iteration
    projected = await source.times(basis, block)
    ritz = symmetricEigen(gram(projected, rows, block, rows - 1), block)
    const top = ritz.values.subarray(0, Math.min(k, block))
    const scale = Math.max(ritz.values[0]!, 1e-300)
    const change = previous === null ? null : Math.max(...top.map((v, i) => Math.abs(v - previous![i]!))) / scale
    const converged = change !== null && change <= tolerance
    firstChange ??= change
    const settled =
      converged || iteration === maxIterations
        ? 1
        : change === null || firstChange === null || firstChange <= tolerance
          ? 0
          : Math.min(1, Math.max(0, Math.log(firstChange / Math.max(change, tolerance)) / Math.log(firstChange / tolerance)))
    options.onIteration?.(iteration, maxIterations, settled)
    if (converged || iteration === maxIterations) break
    previous = Float64Array.from(top)
    basis = orthonormalise(await source.transposeTimes(projected, block), cols, block)
  }

  const kept = Math.min(k, block)
  for (let c = 0; c < kept; c++) {
    // Component c = basis · (Ritz vector c); its scores = projected · (Ritz vector c).
    const component = new Float64Array(cols)
    for (let j = 0; j < cols; j++) {
      let sum = 0
      for (let b = 0; b < block; b++) sum += basis[j * block + b]! * ritz.vectors[b * block + c]!
      component[j] = sum
    }
    // The sign of an eigenvector is arbitrary; make its largest entry positive so layouts do not flip.
    let largest = 0
    for (let j = 1; j < cols; j++) if (Math.abs(component[j]!) > Math.abs(component[largest]!)) largest = j
    const sign = component[largest]! < 0 ? -1 : 1
    for (let j = 0; j < cols; j++) result.components[c * cols + j] = sign * component[j]!
    for (let i = 0; i < rows; i++) {
      let sum = 0
      for (let b = 0; b < block; b++) sum += projected[i * block + b]! * ritz.vectors[b * block + c]!
      result.scores[i * k + c] = sign * sum
    }
    result.variances[c] = Math.max(0, ritz.values[c]!)
  }
  result.explained = Math.min(1, result.variances.reduce((sum, v) => sum + v, 0) / total)
  return result
}

/**
 * The data, centred, and its transpose on the backend for the whole iteration: the two products per iteration
 * are all the heavy work, and the backend's matrix product is many times faster than a JS loop. (Both are
 * plain products, no transposed operand: wasm runs those through XNNPACK.)
 */
class MemorySource implements PcaSource {
  private constructor(
    readonly rows: number,
    readonly cols: number,
    readonly totalVariance: number,
    private readonly centred: tf.Tensor2D,
    private readonly centredT: tf.Tensor2D
  ) {}

  static of(data: Float32Array, rows: number, cols: number): MemorySource {
    const mean = columnMeans(data, rows, cols)
    const centred = tf.tidy(() => tf.sub<tf.Tensor2D>(tf.tensor2d(data, [rows, cols]), tf.tensor1d(Float32Array.from(mean))))
    const centredT = tf.tidy(() => tf.transpose(centred))
    return new MemorySource(rows, cols, totalVariance(data, rows, cols, mean), centred, centredT)
  }

  times(right: Float64Array, block: number): Promise<Float64Array> {
    return product(this.centred, right, this.cols, block)
  }

  transposeTimes(right: Float64Array, block: number): Promise<Float64Array> {
    return product(this.centredT, right, this.rows, block)
  }

  dispose(): void {
    tf.dispose([this.centred, this.centredT])
  }
}

/** matrix (on the backend, [m, inner]) · right (inner × block, row-major), as row-major float64 m × block. */
async function product(matrix: tf.Tensor2D, right: Float64Array, inner: number, block: number): Promise<Float64Array> {
  const out = tf.tidy(() => tf.matMul(matrix, tf.tensor2d(Float32Array.from(right), [inner, block])))
  try {
    return Float64Array.from(await out.data())
  } finally {
    out.dispose()
  }
}

function columnMeans(data: Float32Array, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols)
  for (let i = 0; i < rows; i++) {
    const row = data.subarray(i * cols, (i + 1) * cols)
    for (let j = 0; j < cols; j++) mean[j] = mean[j]! + row[j]!
  }
  for (let j = 0; j < cols; j++) mean[j] = mean[j]! / rows
  return mean
}

/** Sum of the columns' sample variances. */
function totalVariance(data: Float32Array, rows: number, cols: number, mean: Float64Array): number {
  if (rows < 2) return 0
  let sum = 0
  for (let i = 0; i < rows; i++) {
    const row = data.subarray(i * cols, (i + 1) * cols)
    for (let j = 0; j < cols; j++) {
      const d = row[j]! - mean[j]!
      sum += d * d
    }
  }
  return sum / (rows - 1)
}

/** Wᵀ·W / divisor for W rows × block; block × block. */
function gram(w: Float64Array, rows: number, block: number, divisor: number): Float64Array {
  const out = new Float64Array(block * block)
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < block; a++) {
      const wa = w[i * block + a]!
      for (let b = a; b < block; b++) out[a * block + b] = out[a * block + b]! + wa * w[i * block + b]!
    }
  }
  for (let a = 0; a < block; a++) {
    for (let b = a; b < block; b++) {
      out[a * block + b] = out[a * block + b]! / divisor
      out[b * block + a] = out[a * block + b]!
    }
  }
  return out
}

/**
 * Modified Gram–Schmidt on the columns of an n × m row-major matrix, in place. A column with (numerically)
 * nothing left after removing the others becomes zero: the data has fewer dimensions than the block.
 */
function orthonormalise(matrix: Float64Array, n: number, m: number): Float64Array {
  for (let c = 0; c < m; c++) {
    let before = 0
    for (let i = 0; i < n; i++) before += matrix[i * m + c]! ** 2
    for (let p = 0; p < c; p++) {
      let dot = 0
      for (let i = 0; i < n; i++) dot += matrix[i * m + c]! * matrix[i * m + p]!
      for (let i = 0; i < n; i++) matrix[i * m + c] = matrix[i * m + c]! - dot * matrix[i * m + p]!
    }
    let after = 0
    for (let i = 0; i < n; i++) after += matrix[i * m + c]! ** 2
    const scale = after > 1e-20 * before && after > 0 ? 1 / Math.sqrt(after) : 0
    for (let i = 0; i < n; i++) matrix[i * m + c] = matrix[i * m + c]! * scale
  }
  return matrix
}

interface Eigen {
  /** Eigenvalues, largest first. */
  values: Float64Array
  /** Row-major; column c is the eigenvector of values[c]. */
  vectors: Float64Array
}

/** Eigen-decomposition of a small symmetric matrix (cyclic Jacobi rotations). */
export function symmetricEigen(symmetric: Float64Array, n: number): Eigen {
  const a = Float64Array.from(symmetric)
  const v = new Float64Array(n * n)
  for (let i = 0; i < n; i++) v[i * n + i] = 1
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    let diagonal = 0
    for (let p = 0; p < n; p++) {
      diagonal += a[p * n + p]! ** 2
      for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2
    }
    if (off <= 1e-30 * diagonal || off === 0) break
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!
        if (apq === 0) continue
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < n; k++) {
          // Rotate rows and columns p and q of a, and columns p and q of v.
          const akp = a[k * n + p]!
          const akq = a[k * n + q]!
          a[k * n + p] = c * akp - s * akq
          a[k * n + q] = s * akp + c * akq
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!
          const aqk = a[q * n + k]!
          a[p * n + k] = c * apk - s * aqk
          a[q * n + k] = s * apk + c * aqk
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!
          const vkq = v[k * n + q]!
          v[k * n + p] = c * vkp - s * vkq
          v[k * n + q] = s * vkp + c * vkq
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]!)
  const values = Float64Array.from(order, (i) => a[i * n + i]!)
  const vectors = new Float64Array(n * n)
  order.forEach((from, to) => {
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from]!
  })
  return { values, vectors }
}
