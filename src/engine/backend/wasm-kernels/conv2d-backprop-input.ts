import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { DerivedFilters } from './derived-filters'
import { KernelScope, dimension } from './kernel-scope'

type Attrs = tf.Conv2DBackpropInputAttrs

// The transposed convolution (the generator's every layer, and the input gradient of every conv)
// as stride-1 XNNPACK convolutions plus a cheap interleave. tfjs-backend-wasm's own kernel is a
// naive loop at ~3.7 GFLOP/s; XNNPACK's Conv2D runs at ~30 here.
//
// Sub-pixel (phase) decomposition, per spatial axis with stride s, kernel K and leading pad `top`:
//   dx[y] = Σ_{oy, k : oy·s + k − top = y} dy[oy] · W[k]
// The output rows y ≡ r (mod s) form phase r. With r + top = s·c + ρ, they take the taps
// k = ρ + s·j and the inputs oy = q + c − j (y = s·q + r): a stride-1 correlation of dy with the
// taps W[ρ], W[ρ+s], … reversed, and s² (s_h·s_w in 2-D) fewer multiply-adds than a convolution
// over a zero-dilated dy. Two ways to run the phases:
//
// - 'phases': one convolution per phase, each giving exactly its [B, H/s_h, W/s_w, Ci] rows,
//   joined by a concat along channels and a transpose that interleaves them. Needs H and W to be
//   multiples of the stride. Costs the forward conv's multiply-adds and nothing more.
// - 'grid': one convolution for all phases, whose output channels are (phase, ci), over the
//   phase grid q = ⌊(y + top)/s⌋ (phase (y + top) mod s). That grid is offset from dx by
//   top − s·⌊top/s⌋ rows, so it is a row and a column larger and dx is cut out of it: up to
//   (Q+1)²/Q² the work (56% more on a 4×4 grid, 6% on 32×32). Covers any shape.
// 'phases' runs when it applies and the channel runs that its concat copies are long enough;
// measured on a 64×64 DCGAN's layers it is 1.2–1.7× faster than 'grid' where the grid is small.
//
// Cases neither covers go to tfjs's own kernel: channels-first data (XNNPACK is NHWC only),
// padding so wide that a phase would need negative padding (explicit padding wider than the
// kernel), dtypes other than float32/int32, and a dy whose shape disagrees with the attributes
// (so that the error is tfjs's).
export function createConv2dBackpropInput(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs
    if (dy == null || filter == null) throw new Error('Conv2DBackpropInput needs the inputs dy and filter.')
    if (args.attrs == null) throw new Error('Conv2DBackpropInput needs its attributes (strides, pad, inputShape, …).')
    const plan = planPhases(dy, filter, args.attrs as unknown as Attrs)
    if (plan == null) return fallback(args)
    const backend = args.backend as BackendWasm
    const scope = new KernelScope(backend, 'wasm')
    try {
      return scope.keep(plan.mode === 'phases' ? computePhases(scope, backend, dy, filter, plan) : computeGrid(scope, backend, dy, filter, plan))
    } finally {
      scope.dispose()
    }
  }
}

/** Rearranged filters of the weights in use; see derived-filters.ts. */
export const phaseFilters = new DerivedFilters()

/** One phase along one axis: which taps it takes, and the conv padding that yields its rows. */
interface AxisPhase {
  /** Filter taps, first to last as the conv reads dy; -1 where the phase has no tap. */
  taps: number[]
  padBefore: number
  padAfter: number
}

/** How one spatial axis splits into phases, both ways. */
interface AxisPlan {
  stride: number
  kernel: number
  /** dx's length along this axis. */
  length: number
  /** 'grid': all phases over one window; grid[r] is phase r of (y + top). */
  grid: AxisPhase[]
  /** Where dx starts in the interleaved grid. */
  offset: number
  /** 'phases': exact[r] is phase r of y, each length / stride rows; null when not exact. */
  exact: AxisPhase[] | null
}

export interface PhasePlan {
  mode: 'phases' | 'grid'
  batch: number
  inChannels: number
  outChannels: number
  height: AxisPlan
  width: AxisPlan
}

// Below this many channels, the per-phase concat copies runs too short to beat the grid's waste.
const minPhaseChannels = 16

// Null when the composition does not apply and tfjs's own kernel should run.
export function planPhases(dy: tf.TensorInfo, filter: tf.TensorInfo, attrs: Attrs): PhasePlan | null {
  if (dy.shape.length !== 4 || filter.shape.length !== 4) return null
  if (!isNumeric(dy.dtype) || !isNumeric(filter.dtype)) return null
  if (tf.backend_util.convertConv2DDataFormat(attrs.dataFormat) !== 'channelsLast') return null
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast'
  )
  if (info.outShape.some((size, i) => size !== dy.shape[i])) return null
  if (dimension(filter.shape, 2) !== info.inChannels) return null
  const height = planAxis(info.strideHeight, info.filterHeight, info.padInfo.top, info.inHeight, info.outHeight)
  const width = planAxis(info.strideWidth, info.filterWidth, info.padInfo.left, info.inWidth, info.outWidth)
  if (height == null || width == null) return null
  const phased = height.stride * width.stride > 1 && height.exact != null && width.exact != null
  return {
    mode: phased && info.inChannels >= minPhaseChannels ? 'phases' : 'grid',
    batch: info.batchSize,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    height,
    width
  }
}

function planAxis(stride: number, kernel: number, top: number, length: number, dyLength: number): AxisPlan | null {
  const taps = Math.ceil(kernel / stride)
  // Grid row q covers dx rows s·q − top … s·q + s − 1 − top; keep the rows that touch dx.
  const first = Math.floor(top / stride)
  const rows = Math.floor((length - 1 + top) / stride) - first + 1
  // Grid row u (= q − first) reads dy[u + first − taps + 1 … u + first].
  const padBefore = taps - 1 - first
  if (padBefore < 0) return null
  // dy rows that dx never sees only lengthen the grid; the final window drops them.
  const padAfter = Math.max(0, rows + taps - 1 - dyLength - padBefore)
  const grid = range(stride).map((phase) => ({
    taps: range(taps).map((t) => reversedTap(phase, stride, taps, t, kernel)),
    padBefore,
    padAfter
  }))
  return { stride, kernel, length, grid, offset: top - stride * first, exact: exactPhases(stride, kernel, top, length, dyLength) }
}

// Phase r (rows y = s·q + r, q < length / s) takes taps ρ + s·j from dy[q + c − j], r + top = s·c + ρ.
function exactPhases(stride: number, kernel: number, top: number, length: number, dyLength: number): AxisPhase[] | null {
  if (length % stride !== 0) return null
  const rows = length / stride
  const phases: AxisPhase[] = []
  for (let r = 0; r < stride; r++) {
    const c = Math.floor((r + top) / stride)
    const rho = (r + top) % stride
    const taps = Math.ceil((kernel - rho) / stride)
    // A phase with no tap is all zeros; leave such shapes to the grid, which handles them.
    if (taps <= 0) return null
    const padBefore = taps - 1 - c
    const padAfter = rows + taps - 1 - dyLength - padBefore
    if (padBefore < 0 || padAfter < 0) return null
    phases.push({ taps: range(taps).map((t) => reversedTap(rho, stride, taps, t, kernel)), padBefore, padAfter })
  }
  return phases
}

// Conv tap t of a phase reads dy[… − (taps−1−t)], which meets filter tap ρ + s·(taps−1−t).
function reversedTap(rho: number, stride: number, taps: number, t: number, kernel: number): number {
  const k = rho + stride * (taps - 1 - t)
  return k < kernel ? k : -1
}

function computeGrid(scope: KernelScope, backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, plan: PhasePlan): tf.TensorInfo {
  const { batch, inChannels, height, width } = plan
  const [phaseFilter] = phaseFilters.get(backend, filter, `grid ${height.stride} ${width.stride}`, () => [
    gatherFilter(backend, filter, plan, height.grid, width.grid)
  ])
  const grid = height.grid[0]
  const columns = width.grid[0]
  if (phaseFilter == null || grid == null || columns == null) throw new Error('Conv2DBackpropInput: an axis has no phase.')
  const phases = convolve(scope, asFloat32(scope, dy), phaseFilter, grid, columns)
  // [B, gridH, gridW, sh·sw·Ci]; gridH exceeds the rows dx needs when dy has rows dx never sees.
  const gridHeight = dimension(phases.shape, 1)
  const gridWidth = dimension(phases.shape, 2)
  const interleaved = interleave(scope, phases, plan, gridHeight, gridWidth)
  // Cut dx out as a 3-D window so that wasm's Slice copies whole runs of W·Ci, not Ci at a time.
  const rows = scope.reshape(interleaved, [batch, gridHeight * height.stride, gridWidth * width.stride * inChannels])
  const window = scope.slice(rows, [0, height.offset, width.offset * inChannels], [batch, height.length, width.length * inChannels])
  return scope.reshape(window, [batch, height.length, width.length, inChannels])
}

function computePhases(scope: KernelScope, backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, plan: PhasePlan): tf.TensorInfo {
  const { height, width } = plan
  const rowPhases = height.exact
  const columnPhases = width.exact
  if (rowPhases == null || columnPhases == null) throw new Error('Conv2DBackpropInput: planned per-phase without exact phases.')
  const pairs = rowPhases.flatMap((rows) => columnPhases.map((columns) => ({ rows, columns })))
  const filters = phaseFilters.get(backend, filter, `phases ${height.stride} ${width.stride}`, () =>
    pairs.map(({ rows, columns }) => gatherFilter(backend, filter, plan, [rows], [columns]))
  )
  const input = asFloat32(scope, dy)
  const outputs = pairs.map(({ rows, columns }, i) => convolve(scope, input, filters[i] as tf.TensorInfo, rows, columns))
  // Channels (rh, rw, ci), as the grid's single conv lays them out.
  // Concat takes its inputs as an array, the way tf.concat passes them to the engine.
  const joined = scope.run('Concat', outputs as unknown as tf.NamedTensorInfoMap, { axis: 3 })
  return interleave(scope, joined, plan, height.length / height.stride, width.length / width.stride)
}

function convolve(scope: KernelScope, dy: tf.TensorInfo, filter: tf.TensorInfo, rows: AxisPhase, columns: AxisPhase): tf.TensorInfo {
  return scope.run('Conv2D', { x: dy, filter }, {
    strides: [1, 1],
    pad: [
      [0, 0],
      [rows.padBefore, rows.padAfter],
      [columns.padBefore, columns.padAfter],
      [0, 0]
    ],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined
  } as unknown as tf.NamedAttrMap)
}

// [B, Qh, Qw, (rh, rw, ci)] → [B, Qh·sh, Qw·sw, Ci]: seen as [B·Qh, Qw, sh, sw·Ci], swapping the
// middle axes puts phase rows under each other, moving whole sw·Ci runs. wasm's DepthToSpace does
// the same at sh = sw but measured 30–80× slower.
function interleave(scope: KernelScope, phases: tf.TensorInfo, plan: PhasePlan, gridHeight: number, gridWidth: number): tf.TensorInfo {
  const { batch, inChannels, height, width } = plan
  const rowMajor = scope.reshape(phases, [batch * gridHeight, gridWidth, height.stride, width.stride * inChannels])
  const interleaved = scope.transpose(rowMajor, [0, 2, 1, 3])
  return scope.reshape(interleaved, [batch, gridHeight * height.stride, gridWidth * width.stride, inChannels])
}

// W [KH, KW, Ci, Co] → W' [Th, Tw, Co, Rh, Rw, Ci]: W'[th, tw, co, rh, rw, ci] =
// W[rows[rh].taps[th], columns[rw].taps[tw], ci, co], zero where a phase has no tap. Filters are
// small next to activations (≤ 2 M values in a 64×64 DCGAN) and this runs once per weight
// (derived-filters.ts), so one pass in JavaScript costs less than chaining wasm kernels.
function gatherFilter(backend: BackendWasm, filter: tf.TensorInfo, plan: PhasePlan, rows: AxisPhase[], columns: AxisPhase[]): tf.TensorInfo {
  const { inChannels: ci, outChannels: co, height, width } = plan
  const tapsHigh = rows[0]?.taps.length ?? 0
  const tapsWide = columns[0]?.taps.length ?? 0
  const out = backend.makeOutput([tapsHigh, tapsWide, co, rows.length * columns.length * ci], 'float32')
  // Views after makeOutput: allocating can grow wasm memory, which detaches earlier views.
  const source = backend.typedArrayFromHeap(filter)
  const target = backend.typedArrayFromHeap(out)
  // Where each source tap lands: [t, r] per kernel row and column, or none.
  const rowSlot = slots(rows, height.kernel)
  const columnSlot = slots(columns, width.kernel)
  const phaseStride = rows.length * columns.length * ci
  let covered = 0
  for (let kh = 0; kh < height.kernel; kh++) {
    const row = rowSlot[kh]
    for (let kw = 0; kw < width.kernel; kw++) {
      const column = columnSlot[kw]
      const read = (kh * width.kernel + kw) * ci * co
      if (row == null || column == null) continue
      covered++
      const base = (row.t * tapsWide + column.t) * co * phaseStride + (row.r * columns.length + column.r) * ci
      for (let c = 0; c < ci; c++) {
        let write = base + c
        const from = read + c * co
        for (let o = 0; o < co; o++) {
          target[write] = source[from + o] as number
          write += phaseStride
        }
      }
    }
  }
  if (covered < tapsHigh * tapsWide * rows.length * columns.length) fillUncovered(target, rows, columns, co, ci, tapsWide)
  return out
}

function slots(phases: AxisPhase[], kernel: number): Array<{ t: number; r: number } | undefined> {
  const slot = Array.from<{ t: number; r: number } | undefined>({ length: kernel })
  phases.forEach((phase, r) => phase.taps.forEach((k, t) => (k >= 0 ? (slot[k] = { t, r }) : undefined)))
  return slot
}

// Zeros where a phase has no tap (kernel not a multiple of the stride); makeOutput's memory is not cleared.
function fillUncovered(target: tf.backend_util.TypedArray, rows: AxisPhase[], columns: AxisPhase[], co: number, ci: number, tapsWide: number): void {
  const phaseStride = rows.length * columns.length * ci
  rows.forEach((row, r) =>
    columns.forEach((column, rw) =>
      row.taps.forEach((kh, th) =>
        column.taps.forEach((kw, tw) => {
          if (kh >= 0 && kw >= 0) return
          const base = (th * tapsWide + tw) * co * phaseStride + (r * columns.length + rw) * ci
          for (let o = 0; o < co; o++) target.fill(0, base + o * phaseStride, base + o * phaseStride + ci)
        })
      )
    )
  )
}

function asFloat32(scope: KernelScope, x: tf.TensorInfo): tf.TensorInfo {
  return x.dtype === 'float32' ? x : scope.run('Cast', { x }, { dtype: 'float32' })
}

function isNumeric(dtype: tf.DataType): boolean {
  return dtype === 'float32' || dtype === 'int32'
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}
