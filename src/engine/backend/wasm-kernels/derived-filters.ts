import type * as tf from '@tensorflow/tfjs'

// Filters rearranged for a composed kernel, kept while the filter they came from lives.
//
// Why keep them: wasm's Conv2D hands XNNPACK a filter by buffer id, and XNNPACK keeps the packed
// weights of a buffer it has seen. A filter rearranged afresh on every call gets a new id, so each
// call pays the rearrangement and a full re-pack: 50–60 ms for a 4×4×256×512 layer, measured,
// against 4 ms for that layer's whole convolution at batch 1. Reusing the rearranged buffer while
// its source lives makes repeated calls (generation, and the several uses of one weight in a
// training step) cost only the convolution.
//
// When to drop them: a composed kernel cannot see a tensor being disposed, so every lookup first
// releases the entries whose source buffer the backend no longer holds. Entries therefore live at
// most until the next call after their filter went away, and their number stays that of the
// filters in use.
export class DerivedFilters {
  private backend: tf.KernelBackend | null = null
  private readonly entries = new Map<tf.DataId, { key: string; filters: tf.TensorInfo[] }>()

  /** The filters derived from `source` under `key`, made by `make` when not kept yet. */
  get(backend: tf.KernelBackend, source: tf.TensorInfo, key: string, make: () => tf.TensorInfo[]): tf.TensorInfo[] {
    // A new backend instance (wasm re-initialised) no longer holds the old buffers; forget them.
    if (this.backend !== backend) {
      this.entries.clear()
      this.backend = backend
    }
    this.releaseOrphans()
    const kept = this.entries.get(source.dataId)
    if (kept != null && kept.key === key) return kept.filters
    if (kept != null) this.release(source.dataId)
    const filters = make()
    this.entries.set(source.dataId, { key, filters })
    return filters
  }

  /** Releases every kept filter, e.g. before checking that nothing is left on the wasm heap. */
  clear(): void {
    for (const dataId of [...this.entries.keys()]) this.release(dataId)
  }

  get size(): number {
    return this.entries.size
  }

  private releaseOrphans(): void {
    const backend = this.backend
    if (backend == null) return
    for (const dataId of [...this.entries.keys()]) {
      if (backend.refCount(dataId) === 0) this.release(dataId)
    }
  }

  private release(dataId: tf.DataId): void {
    const entry = this.entries.get(dataId)
    this.entries.delete(dataId)
    if (entry == null || this.backend == null) return
    for (const filter of entry.filters) this.backend.disposeData(filter.dataId)
  }
}
