import * as tf from '@tensorflow/tfjs'

export interface DispatchCost {
  backend: string
  /** Programs issued in the timed run. */
  programs: number
  /** CPU time to issue one program (JavaScript, tfjs's bookkeeping, Dawn's encoding), in microseconds. */
  issueUs: number
  /** Issue and completion together, per program, in microseconds: what a chain of tiny programs costs in all. */
  totalUs: number
  /**
   * One tiny program and the read of its 4,096 values (`data()`), median of `READBACKS`, in microseconds: the
   * least a frame that is read back costs (generate-64-b1), whatever the GPU, as Dawn maps the buffer and its
   * Node binding resolves the promise on a later turn of the event loop.
   */
  readbackUs: number
}

/** Round trips the readback figure is the median of. */
const READBACKS = 200

/** Elements per tensor: above tfjs-backend-webgpu's CPU hand-off size (1,000), so every add runs on the GPU. */
const ELEMENTS = 4096

/**
 * What one GPU program costs the CPU before the GPU does anything: a chain of `programs` elementwise adds of
 * 4,096 values, each a separate program, issued inside one tidy as the engine issues a training step's kernels.
 * The adds are tiny, so the GPU's own time hardly counts; the issue time is the CPU's (tfjs choosing and
 * binding the program, making its uniforms, Dawn validating and encoding the dispatch), which a faster GPU
 * does not shorten. A step that dispatches N programs can never take less than N × issueUs: that is the
 * dispatch ceiling docs/performance.md gives for the webgpu rung.
 */
export async function measureDispatchCost(programs = 2000, rounds = 3): Promise<DispatchCost> {
  const x = tf.tidy(() => tf.add(tf.randomUniform([ELEMENTS]), 0))
  const chain = (count: number): tf.Tensor =>
    tf.tidy(() => {
      let y: tf.Tensor = x
      for (let i = 0; i < count; i++) y = tf.add(y, x)
      return y
    })
  try {
    // The first round compiles the add's pipeline and fills the buffer pool.
    const warm = chain(programs)
    await warm.data()
    warm.dispose()
    let best: { issue: number; total: number } | null = null
    for (let round = 0; round < rounds; round++) {
      const started = performance.now()
      const y = chain(programs)
      const issued = performance.now()
      await y.data()
      const done = performance.now()
      y.dispose()
      const issue = issued - started
      if (!best || issue < best.issue) best = { issue, total: done - started }
    }
    const timed = best as { issue: number; total: number }
    const trips: number[] = []
    for (let i = 0; i < READBACKS; i++) {
      const started = performance.now()
      const y = tf.add(x, x)
      await y.data()
      trips.push(performance.now() - started)
      y.dispose()
    }
    trips.sort((a, b) => a - b)
    const readbackUs = 1000 * (trips[Math.floor(trips.length / 2)] ?? 0)
    return { backend: tf.getBackend(), programs, issueUs: (1000 * timed.issue) / programs, totalUs: (1000 * timed.total) / programs, readbackUs }
  } finally {
    x.dispose()
  }
}
